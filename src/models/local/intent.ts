/**
 * Word matching for the local rules model: which loaded tool a plain sentence asks for. The sentence's
 * words are mapped to canonical tokens, and each tool is scored by how many of its name's tokens appear.
 */

export interface ToolShape {
  name: string;
  description: string;
  /** JSON Schema of the tool's arguments. */
  schema: Record<string, unknown>;
}

// Plain words a person uses, mapped to the tokens tool names are made of.
const synonyms: Record<string, string[]> = {
  show: ["list"],
  what: ["list"],
  which: ["list"],
  see: ["list"],
  list: ["list"],
  view: ["list"],
  find: ["list"],
  menu: ["list", "dish"],
  pending: ["list"],
  restaurant: ["resource", "instance"],
  restaurants: ["resource", "instance"],
  place: ["resource", "instance"],
  places: ["resource", "instance"],
  resources: ["resource", "instance"],
  instances: ["resource", "instance"],
  ask: ["create", "request"],
  // "want" and "need" name no action: "I want to order X" is an order, not a request.
  want: [],
  need: [],
  create: ["create"],
  apply: ["create", "request"],
  request: ["request"],
  requests: ["request"],
  access: ["access"],
  role: ["access"],
  join: ["access"],
  approval: ["approval", "operation"],
  approvals: ["approval", "operation"],
  permission: ["permission"],
  operation: ["operation"],
  operations: ["operation"],
  approve: ["approve"],
  accept: ["approve"],
  grant: ["approve"],
  allow: ["approve"],
  deny: ["deny"],
  decline: ["deny"],
  refuse: ["deny"],
  reject: ["deny"],
  cancel: ["cancel"],
  withdraw: ["cancel"],
  revoke: ["cancel"],
  check: ["check"],
  can: ["check"],
  may: ["check"],
  allowed: ["check", "permission"],
  order: ["order", "operation"],
  buy: ["order"],
  dish: ["dish"],
  dishes: ["dish"],
  food: ["dish"],
  eat: ["dish"],
};

function canonicalTokens(text: string): Set<string> {
  const tokens = new Set<string>();
  for (const word of text.toLowerCase().match(/[a-z]+/g) ?? []) {
    for (const token of synonyms[word] ?? [singular(word)]) tokens.add(token);
  }
  return tokens;
}

function singular(word: string): string {
  if (word.endsWith("ies")) return `${word.slice(0, -3)}y`;
  if (word.endsWith("es") && /(sh|ch|x|s)es$/.test(word)) return word.slice(0, -2);
  if (word.endsWith("s") && !word.endsWith("ss")) return word.slice(0, -1);
  return word;
}

/**
 * The best tool for the sentence, or null. A tool qualifies only when its verb (first name token) was
 * asked for; among those, the largest share of matched name tokens wins, then the most matched tokens.
 */
export function chooseTool(text: string, tools: ToolShape[]): ToolShape | null {
  const asked = canonicalTokens(text);
  let best: { tool: ToolShape; share: number; hits: number } | null = null;
  for (const tool of tools) {
    const parts = tool.name
      .toLowerCase()
      .split(/[_\W]+/)
      .filter(Boolean)
      .map(singular);
    const verb = parts[0];
    if (verb === undefined || !asked.has(verb)) continue;
    const hits = parts.filter((part) => asked.has(part)).length;
    const share = hits / parts.length;
    if (!best || share > best.share || (share === best.share && hits > best.hits))
      best = { tool, share, hits };
  }
  return best && best.share >= 0.5 ? best.tool : null;
}
