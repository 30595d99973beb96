import { describe, expect, it } from "vitest";
import { isSecretKey, maskSecrets, maskText } from "../../../src/review/mask.js";

describe("maskSecrets", () => {
  it("masks the values of secret-named keys however the name is written, at any depth", () => {
    const args = {
      password: "a",
      passwd: "b",
      pwd: "c",
      passphrase: "d",
      private_key: "e",
      privateKey: "f",
      "access-key": "g",
      auth: "h",
      cookie: "i",
      bearer: "j",
      apiKey: "k",
      x_auth_token: "l",
      pin: "1234",
      credentials: { user: "u", pass: "m" },
      list: [{ client_secret: "n" }],
    };
    const masked = maskSecrets(args);
    expect(JSON.stringify(masked)).not.toMatch(/"[a-n]"|1234/);
    expect(masked.credentials).toBe("***");
    expect(masked.list).toEqual([{ client_secret: "***" }]);
    expect(args.password).toBe("a");
  });

  it("leaves ordinary names that merely contain a short secret word", () => {
    for (const key of ["author", "passenger", "spinach", "compass", "topic", "authored_by", "dish_name"])
      expect(isSecretKey(key), key).toBe(false);
    expect(maskSecrets({ author: "joe", passenger: "rose" })).toEqual({ author: "joe", passenger: "rose" });
  });

  it("masks the password of a URL written in a string value and keeps the rest", () => {
    expect(
      maskSecrets({
        dsn: "postgres://app:S3cretPW@db.local:5432/main",
        note: "see https://example.com:8080/a@b and mail joe@example.com",
      }),
    ).toEqual({
      dsn: "postgres://app:***@db.local:5432/main",
      note: "see https://example.com:8080/a@b and mail joe@example.com",
    });
    expect(maskSecrets(["redis://:hunter2@cache/0"])).toEqual(["redis://:***@cache/0"]);
  });
});

describe("maskText: secrets written inside text, whatever the argument is called", () => {
  const masks = (text: string, shown: string) => expect(maskText(text), text).toBe(shown);

  it("masks the value given to a secret-named key, in env, header, JSON and query-string form", () => {
    masks("ctx GOOGLE_API_KEY=AIzaSyNOTEKEY… then", "ctx GOOGLE_API_KEY=*** then");
    masks(
      'bad login with {"password":"PW SECRET 123","user":"bob"}',
      'bad login with {"password":"***","user":"bob"}',
    );
    masks('{\\"password\\":\\"PWSECRET\\"}', '{\\"password\\":\\"***\\"}');
    masks("Authorization: Basic dXNlcjpwYXNzd29yZA==", "Authorization: Basic ***");
    masks("x-api-key: k3y-value, next", "x-api-key: ***, next");
    masks("db?sslmode=require&password=hunter2&x=1", "db?sslmode=require&password=***&x=1");
    masks("client_secret='a b c' pin: 1234", "client_secret='***' pin: ***");
    masks("serve --api-key=k3y --password=hunter2 --port=80", "serve --api-key=*** --password=*** --port=80");
  });

  it("masks well-known key and token shapes, keeping the prefix that says what was there", () => {
    masks("header Bearer HEADERBEARERSECRET", "header Bearer ***");
    masks("use AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW now", "use AIza*** now");
    masks("sk-proj-abcdefghijklmnop1234 sk_live_abcdefghijklmnopqrst", "sk-*** sk_live_***");
    masks("ghp_ENVSECRET1 gho_abcdefgh1234 github_pat_11ABCDEFG_xyz", "ghp_*** gho_*** github_pat_***");
    masks("xoxb-1234-5678-abcdef AKIAIOSFODNN7EXAMPLE", "xoxb-*** AKIA***");
    masks("permit_key_FAKE0123456789SECRET", "permit_key_***");
    masks("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcDEF_123-x.", "jwt eyJ***.");
    masks("see postgres://bob:URLPWSECRET@db/x", "see postgres://bob:***@db/x");
  });

  it("masks a private key block, to its END line or to the end of a text cut short", () => {
    const pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----";
    masks(
      `key:\n${pem}\ndone`,
      "key:\n-----BEGIN RSA PRIVATE KEY-----***-----END RSA PRIVATE KEY-----\ndone",
    );
    masks("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg", "-----BEGIN PRIVATE KEY-----***");
  });

  it("leaves ordinary text alone: dishes, ids, UUIDs, dates, e-mail, prose", () => {
    const ordinary = [
      "Truffle Pizza at pizza-palace costs 42.50",
      "approved ar_1a2b3c4d and op_9f8e7d6c for thread-1a2b3c4d",
      "123e4567-e89b-12d3-a456-426614174000 at 2026-11-21T10:00:00.000Z",
      "mail joe@example.com or see https://example.com:8080/a@b",
      "status: open, author: joe, passenger: rose, dish_name=Lasagna",
      "the bearer of bad news asked a skill-based question; task-force AKIA-less",
      "sha256 3f786850e387550fdab836ed7e6dc881de23001b and eyJ alone",
    ];
    for (const text of ordinary) masks(text, text);
  });

  it("masks once: masked text masks to itself", () => {
    const text =
      'GOOGLE_API_KEY=AIzaSyX {"token":"t0k"} Bearer abcdefghij postgres://a:b@h sk-abcdefghijklmnopq';
    expect(maskText(maskText(text))).toBe(maskText(text));
  });

  it("gets through long adversarial text (no pattern tries every split of a long run)", () => {
    const n = 200_000;
    const hostile = [
      "eyJ-".repeat(n / 4),
      "eyJaaaaaaaa." + "a-".repeat(n / 2),
      "a.".repeat(n / 2),
      "a://".repeat(n / 4),
      "a://b:" + "c".repeat(n),
      "-----BEGIN PRIVATE KEY-----".repeat(n / 27),
      'password:"'.repeat(n / 10),
      'password:"' + '\\"'.repeat(n / 2),
      "password" + " ".repeat(n) + "x",
      "bearer ".repeat(n / 7),
      "a:".repeat(n / 2),
      "sk-".repeat(n / 3),
    ];
    for (const text of hostile) expect(maskText(text).length).toBeGreaterThan(0);
    expect(maskText(`${"x ".repeat(n)}api_key=SECRET`)).toMatch(/api_key=\*\*\*$/);
  });
});

describe("maskSecrets masks secret values under innocent names too", () => {
  it("masks inside every string value, and never changes the object it was given", () => {
    const args = { note: "ctx GOOGLE_API_KEY=AIzaSyNOTEKEY…", header: "Bearer HEADERBEARERSECRET", n: 3 };
    expect(maskSecrets(args)).toEqual({ note: "ctx GOOGLE_API_KEY=***", header: "Bearer ***", n: 3 });
    expect(args.header).toBe("Bearer HEADERBEARERSECRET");
  });

  it("leaves a hint that names the auth scheme and a placeholder as it is", () => {
    expect(maskText("unauthorized: send Authorization: Bearer <token>")).toBe(
      "unauthorized: send Authorization: Bearer <token>",
    );
    expect(maskText("Authorization: Bearer abcdefgh12345678")).toBe("Authorization: Bearer ***");
  });
});
