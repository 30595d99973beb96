import { describe, expect, it } from "vitest";
import { loadPolicy } from "../../../src/review/policyFile.js";
import { defaultPolicy, policySchema } from "../../../src/review/policy.js";
import { mayWarn, policyWarnings, tiersOf, type ToolFacts } from "../../../src/review/policyCheck.js";
import { formatPolicyReport } from "../../../src/cli/policyReport.js";

const closed = (...names: string[]) => ({
  type: "object",
  properties: Object.fromEntries(names.map((name) => [name, { type: "string" }])),
  additionalProperties: false,
});

const tool = (
  name: string,
  inputSchema: Record<string, unknown> = closed(),
  more: Partial<ToolFacts> = {},
) => ({
  name,
  server: "shop",
  annotations: undefined,
  inputSchema,
  ...more,
});

const shop: ToolFacts[] = [
  tool("list_orders", closed(), { annotations: { readOnlyHint: true } }),
  tool("pay", closed("to", "amount")),
  tool("refund", closed("order")),
  tool("admin/delete", closed("id"), { server: "admin" }),
];

const policy = (rules: unknown[], more: Record<string, unknown> = {}) =>
  policySchema.parse({ rules, default: "allow", ...more });

describe("policy warnings", () => {
  it("name a tool pattern that matches none of the servers' tools, and no other part of that rule", () => {
    const typo = policy([{ tool: ["pay", "refnud_*"], when: [{ arg: "nope", equals: 1 }], tier: "deny" }]);
    expect(policyWarnings(typo, shop)).toEqual([
      'rule 1 (pay, refnud_*): tool "refnud_*" matches no tool the servers offer; check its spelling',
    ]);
  });

  it("guess the tool a misspelt name meant, only when one is close and the pattern has no glob", () => {
    const rules = policy([
      { tool: "refnud", tier: "deny" },
      { tool: "list_order", tier: "allow" },
      { tool: "transfer", tier: "deny" },
      { tool: "rfnd*", tier: "deny" },
    ]);
    expect(policyWarnings(rules, shop).map((warning) => warning.split("spelling")[1])).toEqual([
      " (refund?)",
      " (list_orders?)",
      "",
      "",
    ]);
  });

  it("name a server pattern that matches no server, and list the servers there are", () => {
    const rules = policy([{ name: "admin stuff", server: "admn", tier: "confirm" }]);
    expect(policyWarnings(rules, shop)).toEqual([
      'rule 1 (admin stuff): server "admn" matches no server (there are: shop, admin)',
    ]);
  });

  it("name a rule whose tool and server each match something, but never together", () => {
    const rules = policy([{ tool: "pay", server: "admin", tier: "deny" }]);
    expect(policyWarnings(rules, shop)).toEqual([
      "rule 1 (pay): applies to no tool the servers offer (none passes all its tests at once)",
    ]);
  });

  it("name a condition on an argument no tool of the rule takes, with the arguments they do take", () => {
    const rules = policy([
      { name: "big payment", tool: "pay", when: [{ arg: "amout", gt: 100 }], tier: "confirm" },
    ]);
    expect(policyWarnings(rules, shop)).toEqual([
      'rule 1 (big payment): no tool it applies to takes an argument "amout", so its condition never holds (pay takes to, amount)',
    ]);
  });

  it("check only the first part of a dotted argument path", () => {
    const rules = policy([{ tool: "pay", when: [{ arg: "to.iban", matches: "^DE" }], tier: "confirm" }]);
    expect(policyWarnings(rules, shop)).toEqual([]);
    const wrong = policy([{ tool: "pay", when: [{ arg: "payee.iban", matches: "^DE" }], tier: "confirm" }]);
    expect(policyWarnings(wrong, shop)).toHaveLength(1);
  });

  it("accept a condition that holds for some of the tools a glob or a rule without tools applies to", () => {
    const rules = policy([
      { when: [{ arg: "amount", gt: 100 }], tier: "confirm" },
      { tool: ["pay", "refund"], when: [{ arg: "order", equals: "x" }], tier: "deny" },
    ]);
    expect(policyWarnings(rules, shop)).toEqual([]);
  });

  it("trust no schema that allows arguments it does not list, or lists none", () => {
    const open = [
      tool("pay", { ...closed("to"), additionalProperties: true }),
      tool("refund", { type: "object" }),
      tool("charge", { ...closed("to"), additionalProperties: { type: "string" } }),
    ];
    const rules = policy([
      { tool: ["pay", "refund", "charge"], when: [{ arg: "amount", gt: 1 }], tier: "deny" },
    ]);
    expect(policyWarnings(rules, open)).toEqual([]);
  });

  it("take a schema that does not say additionalProperties at the properties it lists", () => {
    const rules = policy([{ tool: "pay", when: [{ arg: "amount", gt: 1 }], tier: "deny" }]);
    expect(policyWarnings(rules, [tool("pay", { type: "object", properties: { to: {} } })])).toHaveLength(1);
  });

  it("name a rule whose every tool a rule above it always decides first, so it never applies", () => {
    const rules = policy([
      { name: "payments", tool: ["pay", "refund"], tier: "notify" },
      { name: "large payments", tool: "pay", when: [{ arg: "amount", gt: 100 }], tier: "deny" },
      { name: "read", annotations: { readOnlyHint: true }, tier: "allow" },
      { name: "lists", tool: "list_*", tier: "confirm" },
    ]);
    expect(policyWarnings(rules, shop)).toEqual([
      "rule 2 (large payments): never applies, as rules above it decide all its tools' calls first (pay by rule 1 (payments)); move it up",
      "rule 4 (lists): never applies, as rules above it decide all its tools' calls first (list_orders by rule 3 (read)); move it up",
    ]);
  });

  it("name a rule whose calls all meet the conditions of a rule above it: an allow over 10 above a deny over 100", () => {
    const rules = policy([
      { name: "small ok", tool: "pay", when: [{ arg: "amount", gt: 10 }], tier: "allow" },
      { name: "large", tool: "pay", when: [{ arg: "amount", gt: 100 }], tier: "deny" },
      { name: "to ann", tool: "pay", when: [{ arg: "to", in: ["ann", "bob"] }], tier: "notify" },
      { name: "ann again", tool: "pay", when: [{ arg: "to", equals: " Ann" }], tier: "deny" },
      { name: "seven", tool: "pay", when: [{ arg: "amount", in: [20, 30] }], tier: "confirm" },
    ]);
    expect(policyWarnings(rules, shop)).toEqual([
      "rule 2 (large): never applies, as rules above it decide all its tools' calls first (pay by rule 1 (small ok)); move it up",
      "rule 4 (ann again): never applies, as rules above it decide all its tools' calls first (pay by rule 3 (to ann)); move it up",
      "rule 5 (seven): never applies, as rules above it decide all its tools' calls first (pay by rule 1 (small ok)); move it up",
    ]);
  });

  it("accept a rule whose calls a rule above decides only some of, by its conditions", () => {
    const rules = policy([
      { tool: "pay", when: [{ arg: "amount", gt: 100 }], tier: "deny" },
      { tool: "pay", when: [{ arg: "amount", gt: 10 }], tier: "confirm" },
      {
        tool: "pay",
        when: [
          { arg: "amount", lt: 5 },
          { arg: "to", equals: "ann" },
        ],
        tier: "allow",
      },
      { tool: "pay", when: [{ arg: "amount", lt: 5 }], tier: "notify" },
      { tool: "pay", when: [{ arg: "to", matches: "^a" }], tier: "deny" },
      { tool: "pay", when: [{ arg: "to", matches: "^an" }], tier: "deny" },
    ]);
    expect(policyWarnings(rules, shop)).toEqual([]);
  });

  it("accept a rule that rules above it decide only some calls or some tools of", () => {
    const rules = policy([
      { tool: "pay", when: [{ arg: "to", equals: "mallory" }], tier: "deny" },
      { tool: "pay", tier: "confirm" },
      { name: "others", tool: ["pay", "refund"], tier: "notify" },
    ]);
    expect(policyWarnings(rules, shop)).toEqual([]);
  });

  it("name a rule on annotations alone that one above it always decides first, so a chat checks for it", () => {
    const rules = policy([
      { name: "read", annotations: { readOnlyHint: true }, tier: "allow" },
      { name: "read, carefully", annotations: { readOnlyHint: true }, tier: "confirm" },
    ]);
    expect(mayWarn(rules)).toBe(true);
    expect(policyWarnings(rules, shop)).toHaveLength(1);
  });

  it("say nothing of a rule on annotations alone that fits no tool (the built-in policy with any server)", () => {
    expect(mayWarn(defaultPolicy)).toBe(false);
    expect(policyWarnings(defaultPolicy, shop.slice(1))).toEqual([]);
  });

  it("say nothing of the demo's own policy against the demo's tools", async () => {
    const demo = await loadPolicy("examples/family-food/policy.json");
    const names = ["list_dishes", "order_dish", "check_permission", "create_access_request"];
    const tools = names.map((name) => tool(name, closed("resource_instance", "dish_name")));
    expect(policyWarnings(demo, [...tools, tool("cancel_x"), tool("approve_x"), tool("deny_x")])).toEqual([]);
  });
});

describe("the tiers a policy gives a tool", () => {
  const rules = policy(
    [
      { name: "read", annotations: { readOnlyHint: true }, tier: "allow" },
      {
        name: "big",
        tool: "pay",
        when: [
          { arg: "amount", gt: 100 },
          { arg: "to", in: ["a", "b"] },
        ],
        tier: "confirm",
      },
      { name: "odd", tool: "pay", when: [{ arg: "to", matches: "^x" }], tier: "deny" },
      { name: "pay", tool: "pay", tier: "notify" },
      { name: "never reached for pay", tool: "*", tier: "deny" },
    ],
    { default: "confirm" },
  );

  it("leaves out of a tool's tiers a rule that a rule above always decides first", () => {
    const rules = policy([
      { name: "pages", tool: "pay", when: [{ arg: "amount", gt: 10 }], tier: "allow" },
      { name: "big", tool: "pay", when: [{ arg: "amount", gt: 100 }], tier: "deny" },
    ]);
    const pay = shop.find((item) => item.name === "pay");
    if (!pay) throw new Error("no pay tool");
    expect(tiersOf(rules, pay).map((step) => step.rule)).toEqual(["rule 1 (pages)", "default"]);
  });

  it("lists each conditional rule in order, then the first unconditional one", () => {
    expect(tiersOf(rules, shop[1]!)).toEqual([
      { tier: "confirm", rule: "rule 2 (big)", when: 'amount > 100 and to is one of "a", "b"' },
      { tier: "deny", rule: "rule 3 (odd)", when: "to matches /^x/i" },
      { tier: "notify", rule: "rule 4 (pay)" },
    ]);
    expect(tiersOf(rules, shop[0]!)).toEqual([{ tier: "allow", rule: "rule 1 (read)" }]);
  });

  it("ends with the default when no unconditional rule fits", () => {
    const conditional = policy([{ tool: "refund", when: [{ arg: "order", equals: "x" }], tier: "deny" }]);
    expect(tiersOf(conditional, shop[2]!)).toEqual([
      { tier: "deny", rule: "rule 1 (refund)", when: 'order is "x"' },
      { tier: "allow", rule: "default" },
    ]);
  });

  it("are printed tool by tool, per server, with the warnings after them", () => {
    const typo = policy([{ tool: "pya", tier: "deny" }, ...rules.rules], { description: "shop rules" });
    const report = formatPolicyReport(typo, "policy.json", "ann", shop, policyWarnings(typo, shop));
    expect(report.split("\n")).toEqual([
      "policy: policy.json (shop rules)",
      "default tier: allow",
      "",
      "shop: 3 tools for ann",
      "  list_orders   allow    rule 2 (read)",
      '  pay           confirm  rule 3 (big), if amount > 100 and to is one of "a", "b"',
      "                deny     rule 4 (odd), if to matches /^x/i",
      "                notify   rule 5 (pay), otherwise",
      "  refund        deny     rule 6 (never reached for pay)",
      "",
      "admin: 1 tool for ann",
      "  admin/delete  deny     rule 6 (never reached for pay)",
      "",
      "warnings:",
      '  rule 1 (pya): tool "pya" matches no tool the servers offer; check its spelling (pay?)',
      "",
    ]);
  });
});
