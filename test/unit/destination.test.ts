// Where a webhook may deliver: public https hosts only, whatever spelling an address is given in.
import { describe, expect, it } from "vitest";
import { destinationRefusal } from "../../src/webhooks/destination";

const refused = (url: string, allowLocal = false) => destinationRefusal(url, allowLocal) !== null;

describe("webhook destinations", () => {
  it("accepts public https hosts and public addresses", () => {
    for (const url of ["https://hooks.example.com/stock", "https://8.8.8.8/x", "https://[2606:4700::1111]/", "https://172.32.0.1/", "https://100.128.0.1/"]) {
      expect(destinationRefusal(url, false), url).toBeNull();
    }
  });

  it("refuses private, loopback, link-local and unique-local literals in every spelling", () => {
    const urls = [
      "https://169.254.169.254/", "https://127.0.0.1/", "https://[::1]/", "https://10.0.0.1/", "https://192.168.1.20/",
      "https://172.16.5.4/", "https://172.31.255.255/", "https://100.64.0.1/", "https://0.0.0.0/", "https://[::]/",
      "https://2130706433/", "https://0x7f.1/", "https://017700000001/", "https://[::ffff:127.0.0.1]/",
      "https://[::ffff:169.254.169.254]/", "https://[fd00::1]/", "https://[fc12:3456::9]/", "https://[fe80::1]/",
      "https://[64:ff9b::a9fe:a9fe]/", "https://224.0.0.1/", "https://255.255.255.255/",
    ];
    for (const url of urls) expect(refused(url), url).toBe(true);
  });

  it("refuses metadata and loopback host names, and user info", () => {
    for (const url of ["https://metadata.google.internal/", "https://METADATA.google.internal./x", "https://localhost/", "https://a.localhost/", "https://instance-data/"]) {
      expect(refused(url), url).toBe(true);
    }
    expect(destinationRefusal("https://user:secret@hooks.example.com/", false)).toMatch(/user info/);
    expect(destinationRefusal("https://user@hooks.example.com/", false)).toMatch(/user info/);
  });

  it("allows 127.0.0.1 and localhost only when local development says so", () => {
    expect(destinationRefusal("http://127.0.0.1:8788/hook", true)).toBeNull();
    expect(destinationRefusal("http://localhost/hook", true)).toBeNull();
    expect(refused("http://127.0.0.1:8788/hook", false)).toBe(true);
    expect(refused("http://10.0.0.1/hook", true)).toBe(true);
    expect(refused("https://10.0.0.1/hook", true)).toBe(true);
    expect(refused("http://hooks.example.com/", true)).toBe(true);
  });
});
