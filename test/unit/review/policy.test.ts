import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { classify, defaultPolicy, policySchema, type PolicyCall } from "../../../src/review/policy.js";
import { loadPolicy } from "../../../src/review/policyFile.js";
import { repoRoot } from "../../helpers/cli.js";

const call = (
  name: string,
  args: Record<string, unknown> = {},
  annotations?: PolicyCall["annotations"],
): PolicyCall => ({
  name,
  args,
  server: "askfirst",
  annotations,
});

describe("the built-in policy", () => {
  it("allows read-only tools and asks a person for everything else", () => {
    expect(classify(defaultPolicy, call("list_x", {}, { readOnlyHint: true }))).toMatchObject({
      tier: "allow",
    });
    expect(classify(defaultPolicy, call("delete_x", {}, { readOnlyHint: false }))).toEqual({
      tier: "confirm",
      rule: "default",
    });
    // A tool that says nothing about itself is not trusted as read-only.
    expect(classify(defaultPolicy, call("mystery"))).toMatchObject({ tier: "confirm" });
  });
});

describe("policy rules", () => {
  const policy = policySchema.parse({
    rules: [
      {
        name: "no mallory",
        tool: "pay",
        when: [{ arg: "to", equals: "Mallory" }],
        tier: "deny",
        message: "never",
      },
      { tool: "pay", when: [{ arg: "amount", gt: 100 }], tier: "confirm" },
      { tool: "pay", when: [{ arg: "memo", matches: "^urgent" }], tier: "confirm" },
      { tool: ["pay", "refund"], tier: "notify" },
      { server: "other", tier: "deny" },
      { annotations: { destructiveHint: true }, tier: "confirm" },
    ],
    default: "allow",
  });

  it("matches in order, with the first matching rule's tier, name and message", () => {
    expect(classify(policy, call("pay", { to: "mallory", amount: 1 }))).toEqual({
      tier: "deny",
      rule: "rule 1 (no mallory)",
      message: "never",
    });
    expect(classify(policy, call("pay", { to: "ann", amount: 101 }))).toEqual({
      tier: "confirm",
      rule: "rule 2 (pay)",
    });
    expect(classify(policy, call("pay", { to: "ann", amount: 100 }))).toMatchObject({ tier: "notify" });
    expect(classify(policy, call("pay", { to: "ann", amount: 5, memo: "URGENT now" }))).toMatchObject({
      tier: "confirm",
    });
    expect(classify(policy, call("refund"))).toMatchObject({ tier: "notify", rule: "rule 4 (pay, refund)" });
    expect(classify(policy, { ...call("list"), server: "other" })).toMatchObject({ tier: "deny" });
    expect(classify(policy, call("drop", {}, { destructiveHint: true }))).toMatchObject({ tier: "confirm" });
    expect(classify(policy, call("drop", {}, { readOnlyHint: true, destructiveHint: false }))).toEqual({
      tier: "allow",
      rule: "default",
    });
    // destructiveHint means nothing for a read-only tool: one that says only readOnlyHint is not destructive.
    expect(classify(policy, call("look", {}, { readOnlyHint: true }))).toEqual({
      tier: "allow",
      rule: "default",
    });
  });

  it("a missing argument holds no condition; one a number condition cannot read never makes a call less guarded", () => {
    expect(classify(policy, call("pay", { to: "ann" }))).toMatchObject({ tier: "notify" });
    // Rule 2 asks about amounts over 100: an amount it cannot read is asked about too.
    for (const amount of ["lots", "1,000", "500abc", "５００", "0x200"])
      expect(classify(policy, call("pay", { to: "ann", amount }))).toMatchObject({ tier: "confirm" });
    expect(classify(policy, call("pay", { to: "ann", amount: " 101 " }))).toMatchObject({ tier: "confirm" });
    // A rule that lets calls through does not take an unreadable amount for a small one.
    const allowSmall = policySchema.parse({
      rules: [{ tool: "pay", when: [{ arg: "amount", lt: 10 }], tier: "allow" }],
      default: "confirm",
    });
    expect(classify(allowSmall, call("pay", { amount: "5" }))).toMatchObject({ tier: "allow" });
    expect(classify(allowSmall, call("pay", { amount: "5 dollars" }))).toMatchObject({ tier: "confirm" });
  });

  it("compares scalars the same whichever way they are typed, in the rule or in the call", () => {
    const deny = policySchema.parse({
      rules: [
        { tool: "pay", when: [{ arg: "to", equals: "12345" }], tier: "deny" },
        { tool: "pay", when: [{ arg: "amount", in: ["7"] }], tier: "deny" },
        { tool: "pay", when: [{ arg: "meta.force", equals: true }], tier: "deny" },
        { tool: "pay", when: [{ arg: "code", matches: "^9" }], tier: "deny" },
      ],
      default: "allow",
    });
    for (const args of [
      { to: 12345 },
      { amount: 7 },
      { amount: "7.0" },
      { meta: { force: "true" } },
      { code: 912 },
    ])
      expect(classify(deny, call("pay", args)), JSON.stringify(args)).toMatchObject({ tier: "deny" });
    expect(classify(deny, call("pay", { to: [12345], amount: { n: 7 } }))).toMatchObject({ tier: "allow" });
  });
  it("matches names as names: * and ? take a / or a leading dot like any character, so a catch-all asks", () => {
    const askAll = policySchema.parse({
      rules: [
        { tool: "admin?delete", tier: "deny" },
        { tool: "*", server: "*", tier: "confirm" },
      ],
      default: "allow",
    });
    for (const name of ["admin/users/delete", ".hidden", "ns/tool", "a.b/c"])
      expect(classify(askAll, { ...call(name, {}), server: "team/tools" }).tier).toBe("confirm");
    expect(classify(askAll, call("admin/delete", {})).tier).toBe("deny");
    const exact = policySchema.parse({ rules: [{ tool: "ns/*", tier: "allow" }], default: "confirm" });
    expect(classify(exact, call("ns/read", {})).tier).toBe("allow");
    expect(classify(exact, call("other/read", {})).tier).toBe("confirm");
  });
});

describe("policy files", () => {
  it("names what is wrong in a bad file", async () => {
    const bad = join(repoRoot, "test/fixtures/badPolicy.json");
    await expect(loadPolicy(bad)).rejects.toThrow(/invalid policy file .*badPolicy\.json: rules\.0\.tier: /);
  });

  it("refuses a rule below one that matches every call, naming both", () => {
    const result = policySchema.safeParse({
      rules: [
        { tool: "list_*", tier: "allow" },
        { tool: "*", tier: "allow" },
        { tool: "pay", tier: "deny" },
      ],
    });
    expect(result.success ? [] : result.error.issues).toMatchObject([
      {
        path: ["rules", 2],
        message: 'rule 3 can never apply: rule 2 above it matches every call (put it last, or use "default")',
      },
    ]);
    const last = {
      rules: [
        { tool: "pay", tier: "deny" },
        { server: "*", tier: "allow" },
      ],
    };
    expect(policySchema.safeParse(last).success).toBe(true);
    const narrowed = {
      rules: [{ tool: "*", when: [{ arg: "x", equals: 1 }], tier: "allow" }, { tier: "deny" }],
    };
    expect(policySchema.safeParse(narrowed).success).toBe(true);
  });

  it("rejects a rule with two conditions in one, or a broken regular expression", () => {
    const result = policySchema.safeParse({
      rules: [
        {
          tool: "x",
          tier: "allow",
          when: [
            { arg: "a", gt: 1, lt: 2 },
            { arg: "b", matches: "(" },
          ],
        },
      ],
    });
    expect(result.success).toBe(false);
    const messages = result.error?.issues.map((issue) => issue.message) ?? [];
    expect(messages).toContain("give exactly one of equals, in, gt, lt, matches");
    expect(messages).toContain("not a valid regular expression");
  });

  it("refuses an empty server or tool glob at load, naming the rule, rather than failing each call", () => {
    const result = policySchema.safeParse({
      rules: [
        { server: "", tier: "deny" },
        { tool: "", tier: "allow" },
      ],
    });
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`) ?? [];
    expect(paths).toContain("rules.0.server: give a server name glob, or leave server out");
    expect(paths.some((path) => path.startsWith("rules.1.tool"))).toBe(true);
  });
});

describe("the family demo policy", () => {
  it("allows looking, notifies asking, confirms deciding and expensive orders, whatever the dish's case", async () => {
    const policy = await loadPolicy(join(repoRoot, "examples/family-food/policy.json"));
    expect(classify(policy, call("list_dishes", { resource_instance: "pizza-palace" })).tier).toBe("allow");
    expect(classify(policy, call("check_permission")).tier).toBe("allow");
    expect(classify(policy, call("create_access_request")).tier).toBe("notify");
    expect(classify(policy, call("cancel_operation_approval")).tier).toBe("notify");
    expect(classify(policy, call("approve_access_request")).tier).toBe("confirm");
    expect(classify(policy, call("deny_operation_approval")).tier).toBe("confirm");
    expect(classify(policy, call("order_dish", { dish_name: "  truffle   PIZZA " })).tier).toBe("confirm");
    expect(classify(policy, call("order_dish", { dish_name: "Garlic Bread" })).tier).toBe("notify");
  });

  it("lists exactly the seed's dishes priced above the demo's limit", async () => {
    const policy = await loadPolicy(join(repoRoot, "examples/family-food/policy.json"));
    const seed = JSON.parse(await readFile(join(repoRoot, "examples/family-food/seed.json"), "utf8")) as {
      instances: { attributes: { menu: { name: string; price: number }[] } }[];
      demo: { priceLimit: number };
    };
    const expensive = seed.instances
      .flatMap((instance) => instance.attributes.menu)
      .filter((dish) => dish.price > seed.demo.priceLimit)
      .map((dish) => dish.name)
      .sort();
    const rule = policy.rules.find((item) => item.name === "expensive dish");
    expect([...(rule?.when?.[0]?.in ?? [])].sort()).toEqual(expensive);
  });
});
