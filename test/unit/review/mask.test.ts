import { describe, expect, it } from "vitest";
import { isSecretKey, maskSecrets } from "../../../src/review/mask.js";

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
