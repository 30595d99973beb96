import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../../src/errors.js";
import {
  chooseStoreSpec,
  openStore,
  parseStoreSpec,
  redactUrl,
  storeToRead,
} from "../../../src/store/open.js";

describe("parseStoreSpec", () => {
  it("accepts memory", () => {
    expect(parseStoreSpec("memory", "/work")).toEqual({ kind: "memory" });
  });

  it("resolves a relative sqlite path against the working folder, and defaults to .askfirst/askfirst.db", () => {
    expect(parseStoreSpec("sqlite:data/a.db", "/work")).toEqual({ kind: "sqlite", path: "/work/data/a.db" });
    expect(parseStoreSpec("sqlite:/tmp/x.db", "/work")).toEqual({ kind: "sqlite", path: "/tmp/x.db" });
    expect(parseStoreSpec(undefined, "/work")).toEqual({
      kind: "sqlite",
      path: "/work/.askfirst/askfirst.db",
    });
    expect(parseStoreSpec("sqlite:~/reviews.db", "/work", "/home/ann")).toEqual({
      kind: "sqlite",
      path: "/home/ann/reviews.db",
    });
  });

  it("accepts postgres:// and postgresql:// URLs", () => {
    expect(parseStoreSpec("postgres://u@h:5432/db", "/w")).toEqual({
      kind: "postgres",
      url: "postgres://u@h:5432/db",
    });
    expect(parseStoreSpec("postgresql://h/db", "/w").kind).toBe("postgres");
  });

  it("takes a scheme in any case, as URLs do", () => {
    expect(parseStoreSpec("MEMORY", "/w")).toEqual({ kind: "memory" });
    expect(parseStoreSpec("SQLite:data/a.db", "/w")).toEqual({ kind: "sqlite", path: "/w/data/a.db" });
    expect(parseStoreSpec("Postgres://u:pw@h:5432/db", "/w")).toEqual({
      kind: "postgres",
      url: "postgres://u:pw@h:5432/db",
    });
    expect(parseStoreSpec("POSTGRESQL://h/db", "/w").kind).toBe("postgres");
  });

  it("shows a refused store as typed, scheme and all, with only the password masked", () => {
    expect(() => parseStoreSpec("MySQL://me:hunter2@h/db", "/w")).toThrow(
      'invalid --store "MySQL://me:***@h/db"',
    );
    expect(redactUrl("Postgres://me:hunter2@h:5432/db")).toBe("Postgres://me:***@h:5432/db");
  });

  it("rejects anything else with a usage error naming the accepted forms", () => {
    for (const bad of ["mysql://h/db", "sqlite:", "redis", ""]) {
      expect(() => parseStoreSpec(bad, "/w")).toThrow(UsageError);
      expect(() => parseStoreSpec(bad, "/w")).toThrow(/memory|sqlite:/);
    }
  });

  it("never echoes a password from a URL it rejects or prints", () => {
    expect(() => parseStoreSpec("mongodb://me:hunter2@h/db", "/w")).toThrow(/^(?!.*hunter2)/);
    expect(redactUrl("postgres://me:hunter2@h:5432/db")).toBe("postgres://me:***@h:5432/db");
    expect(redactUrl("postgres://me@h/db?sslmode=require&password=hunter2&PASSWORD=x")).toBe(
      "postgres://me@h/db?sslmode=require&password=***&PASSWORD=***",
    );
    expect(redactUrl("postgres://me@h/db?sslpassword=hunter2")).not.toContain("hunter2");
  });
});

describe("chooseStoreSpec", () => {
  it("prefers the flag, then ASKFIRST_STORE, then the default", () => {
    expect(chooseStoreSpec("memory", { ASKFIRST_STORE: "sqlite:x.db" })).toBe("memory");
    expect(chooseStoreSpec(undefined, { ASKFIRST_STORE: "sqlite:x.db" })).toBe("sqlite:x.db");
    expect(chooseStoreSpec(undefined, { ASKFIRST_STORE: "  " })).toBe("sqlite:.askfirst/askfirst.db");
  });
});

describe("storeToRead", () => {
  it("names a SQLite file that does not exist, and whether the person named it; other stores are never absent", () => {
    const cwd = mkdtempSync(join(tmpdir(), "askfirst-read-"));
    try {
      const byDefault = storeToRead(undefined, { ASKFIRST_STORE: " " }, cwd);
      expect(byDefault.isNamed).toBe(false);
      expect(byDefault.absent).toBeInstanceOf(UsageError);
      expect(byDefault.absent?.message).toContain(
        `no store at ${join(cwd, ".askfirst/askfirst.db")} (the default`,
      );
      const byEnv = storeToRead(undefined, { ASKFIRST_STORE: "sqlite:a.db" }, cwd);
      expect(byEnv.isNamed).toBe(true);
      expect(byEnv.absent?.message).toMatch(
        /^no store at .*a\.db: nothing has been kept there yet; give the --store/,
      );
      expect(storeToRead("sqlite:a.db", {}, cwd).isNamed).toBe(true);
      expect(storeToRead("postgres://u@h/db", {}, cwd).absent).toBeNull();
      writeFileSync(join(cwd, "a.db"), "");
      expect(storeToRead("sqlite:a.db", {}, cwd)).toEqual({
        spec: { kind: "sqlite", path: join(cwd, "a.db") },
        isNamed: true,
        absent: null,
      });
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});

describe("storeToRead memory", () => {
  it("refuses a memory store, named by flag or environment, saying why it holds nothing here", () => {
    expect(() => storeToRead("memory", {}, "/w")).toThrow(UsageError);
    expect(() => storeToRead("MEMORY", {}, "/w")).toThrow(
      /^--store memory holds nothing here: a memory store lives only inside the process that made it/,
    );
    expect(() => storeToRead(undefined, { ASKFIRST_STORE: "memory" }, "/w")).toThrow(
      /^ASKFIRST_STORE=memory holds nothing here/,
    );
  });
});

describe("openStore memory", () => {
  it("gives a working checkpointer unless opened without one", async () => {
    const store = await openStore("memory", { cwd: "/" });
    expect(typeof store.checkpointer.getTuple).toBe("function");
    const light = await openStore("memory", { cwd: "/", checkpointer: false });
    expect(() => light.checkpointer).toThrow(/without a checkpointer/);
    await Promise.all([store.close(), light.close()]);
  });

  it("reads no head from a new SQLite file that has no checkpoints yet, with or without a checkpointer", async () => {
    const folder = mkdtempSync(join(tmpdir(), "askfirst-heads-"));
    try {
      for (const checkpointer of [false, true]) {
        const store = await openStore(`sqlite:${join(folder, `${checkpointer}.db`)}`, {
          cwd: folder,
          checkpointer,
        });
        expect(await store.heads.latest("t")).toBeNull();
        expect(store.heads.writtenHere("t")).toBeUndefined();
        await store.close();
      }
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
