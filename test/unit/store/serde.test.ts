import { AIMessage, HumanMessage, ToolMessage, type BaseMessage } from "@langchain/core/messages";
import { JsonPlusSerializer } from "@langchain/langgraph-checkpoint";
import { describe, expect, it, vi } from "vitest";
import { CheckpointSerializer } from "../../../src/store/serde.js";

function conversation(turn: number): BaseMessage[] {
  return [
    new HumanMessage({ id: `human_${turn}`, content: `Order the omakase, turn ${turn}` }),
    new AIMessage({
      id: `ai_${turn}`,
      content: "",
      tool_calls: [{ id: `call_${turn}`, name: "order_dish", args: { dish_name: "Omakase", price: 120 } }],
    }),
    new ToolMessage({
      id: `result_call_${turn}`,
      tool_call_id: `call_${turn}`,
      name: "order_dish",
      content: "Rejected by the reviewer rita: too expensive.",
      status: "error",
      artifact: undefined,
    }),
    new AIMessage({ id: `ai_reply_${turn}`, content: [{ type: "text", text: "It was not ordered." }] }),
  ];
}

function checkpointWith(messages: BaseMessage[], extra: Record<string, unknown> = {}) {
  return {
    v: 4,
    id: "1f0c0000-0000-6000-8000-000000000000",
    ts: "2026-11-21T15:00:00.000Z",
    channel_values: { messages, actingUser: "henry", grants: { "henry\u0000list_dishes": "rita" }, ...extra },
    channel_versions: { messages: 3, actingUser: 1 },
    versions_seen: { call_llm: { messages: 2 } },
  };
}

async function roundTrip(serializer: JsonPlusSerializer, value: unknown): Promise<unknown> {
  const [type, bytes] = await new JsonPlusSerializer().dumpsTyped(value);
  return serializer.loadsTyped(type, bytes);
}

async function dumped(serializer: JsonPlusSerializer, value: unknown): Promise<string> {
  return new TextDecoder().decode((await serializer.dumpsTyped(value))[1]);
}

describe("the checkpoint serializer", () => {
  it("reads back exactly what LangGraph's own serializer reads: message classes, tool calls, statuses, plain state", async () => {
    const checkpoint = checkpointWith([...conversation(1), ...conversation(2)]);
    const ours = (await roundTrip(new CheckpointSerializer(), checkpoint)) as typeof checkpoint;
    const theirs = (await roundTrip(new JsonPlusSerializer(), checkpoint)) as typeof checkpoint;
    expect(ours).toEqual(theirs);
    const [human, ai, tool, reply] = ours.channel_values.messages;
    expect(human).toBeInstanceOf(HumanMessage);
    expect(ai).toBeInstanceOf(AIMessage);
    expect((ai as AIMessage).tool_calls?.[0]).toMatchObject({ name: "order_dish", args: { price: 120 } });
    expect(tool).toBeInstanceOf(ToolMessage);
    expect((tool as ToolMessage).status).toBe("error");
    expect(reply?.content).toEqual([{ type: "text", text: "It was not ordered." }]);
    expect(ours.channel_values.grants).toEqual({ "henry\u0000list_dishes": "rita" });
  });

  it("revives a message carried over from the previous checkpoint once, and still reads the new ones", async () => {
    const serializer = new CheckpointSerializer();
    const first = (await roundTrip(serializer, checkpointWith(conversation(1)))) as {
      channel_values: { messages: BaseMessage[] };
    };
    const second = (await roundTrip(
      serializer,
      checkpointWith([...conversation(1), ...conversation(2)]),
    )) as {
      channel_values: { messages: BaseMessage[] };
    };
    expect(second.channel_values.messages[0]).toBe(first.channel_values.messages[0]);
    expect(second.channel_values.messages.map((message) => message.id)).toEqual([
      "human_1",
      "ai_1",
      "result_call_1",
      "ai_reply_1",
      "human_2",
      "ai_2",
      "result_call_2",
      "ai_reply_2",
    ]);
  });

  it("writes exactly what LangGraph's own serializer writes, again and again, and after a message gets its id", async () => {
    const ours = new CheckpointSerializer();
    const messages = conversation(4);
    const late = new HumanMessage({ content: "no id yet" });
    const checkpoint = checkpointWith([...messages, late], { seen: new Set(["a"]) });
    const written = async (serializer: JsonPlusSerializer) =>
      new TextDecoder().decode((await serializer.dumpsTyped(checkpoint))[1]);
    const theirs = await written(new JsonPlusSerializer());
    expect(await written(ours)).toBe(theirs);
    expect(await written(ours)).toBe(theirs);
    late.id = "human_late";
    late.lc_kwargs.id = "human_late";
    const afterId = await written(ours);
    expect(afterId).toBe(await written(new JsonPlusSerializer()));
    expect(afterId).toContain("human_late");
  });

  it("writes plain data as LangGraph's own serializer does, without running its replacer", async () => {
    const holes: unknown[] = [1];
    holes[3] = "x";
    const plain = {
      request: { actionRequests: [{ name: "order_dish", args: { dish_name: "Omakase", price: 120 } }] },
      missing: undefined,
      list: [undefined, null, Number.NaN, -0, 1e21, '\u2028 "quoted" \u0000', true],
      holes,
      nested: { deeper: { empty: {}, none: [] } },
      ["__proto__"]: "kept as a key",
    };
    // LangGraph's writer (its replacer and cycle pass) is reached through its protected `_dumps`.
    const writer = JsonPlusSerializer.prototype as unknown as { _dumps(obj: unknown): Uint8Array };
    const replacer = vi.spyOn(writer, "_dumps");
    const [, bytes] = await new CheckpointSerializer().dumpsTyped(plain);
    expect(replacer).not.toHaveBeenCalled();
    replacer.mockRestore();
    const [, theirs] = await new JsonPlusSerializer().dumpsTyped(plain);
    expect(new TextDecoder().decode(bytes)).toBe(new TextDecoder().decode(theirs));
    expect(await dumped(new CheckpointSerializer(), undefined)).toBe(
      await dumped(new JsonPlusSerializer(), undefined),
    );
  });

  it("keeps a field named __proto__ as a field, on a warm read and a cold one", async () => {
    const args: unknown = JSON.parse('{"__proto__": {"admin": true}, "dish_name": "Omakase"}');
    const checkpoint = checkpointWith(conversation(9), { request: { args } });
    const [type, bytes] = await new CheckpointSerializer().dumpsTyped(checkpoint);
    const writer = new CheckpointSerializer();
    await writer.dumpsTyped(checkpoint);
    for (const serializer of [writer, new CheckpointSerializer()]) {
      const read = (await serializer.loadsTyped(type, bytes)) as {
        channel_values: { request: { args: object } };
      };
      const readArgs = read.channel_values.request.args;
      expect(Object.getPrototypeOf(readArgs)).toBe(Object.prototype);
      expect(Object.keys(readArgs)).toEqual(["__proto__", "dish_name"]);
      expect(JSON.stringify(readArgs)).toBe(JSON.stringify(args));
    }
  });

  it("leaves to LangGraph's own writer what JSON alone would write differently", async () => {
    const cycle: Record<string, unknown> = { name: "loop" };
    cycle.self = cycle;
    const values: unknown[] = [
      { when: new Date(0) },
      { seen: new Set(["a"]), byUser: new Map([["henry", 1]]) },
      { send: { lg_name: "Send", node: "run_tool", args: { id: 1 } } },
      { custom: { toJSON: () => ({ replaced: true }) } },
      { failure: new Error("boom"), bytes: new Uint8Array([1, 2]) },
      { cycle },
      [conversation(8)[0], { again: undefined }],
    ];
    for (const value of values)
      expect(await dumped(new CheckpointSerializer(), value)).toBe(
        await dumped(new JsonPlusSerializer(), value),
      );
  });

  it("hands records it does not know (a Set, a Map) to LangGraph's reviver unchanged", async () => {
    const checkpoint = checkpointWith(conversation(3), {
      seen: new Set(["a", "b"]),
      byUser: new Map([["henry", 1]]),
    });
    const ours = (await roundTrip(new CheckpointSerializer(), checkpoint)) as {
      channel_values: { seen: Set<string>; byUser: Map<string, number>; messages: BaseMessage[] };
    };
    expect(ours.channel_values.seen).toEqual(new Set(["a", "b"]));
    expect(ours.channel_values.byUser).toEqual(new Map([["henry", 1]]));
    expect(ours.channel_values.messages[1]).toBeInstanceOf(AIMessage);
  });

  it("reads the same checkpoint again as it was stored, even after LangGraph changed the last read", async () => {
    const serializer = new CheckpointSerializer();
    const [type, bytes] = await new JsonPlusSerializer().dumpsTyped(checkpointWith(conversation(5)));
    type Read = ReturnType<typeof checkpointWith>;
    const first = (await serializer.loadsTyped(type, bytes)) as Read;
    first.channel_versions.messages = 99;
    first.versions_seen.call_llm.messages = 99;
    first.channel_values.messages.push(new HumanMessage({ id: "later", content: "added by a run" }));
    const second = (await serializer.loadsTyped(type, bytes)) as Read;
    expect(second).toEqual(await roundTrip(new JsonPlusSerializer(), checkpointWith(conversation(5))));
    (second.channel_values.grants as Record<string, string>).extra = "x";
    const third = (await serializer.loadsTyped(type, bytes)) as Read;
    expect(third.channel_values.grants).toEqual({ "henry\u0000list_dishes": "rita" });
    expect(third.channel_values.messages.map((message) => message.id)).toEqual([
      "human_5",
      "ai_5",
      "result_call_5",
      "ai_reply_5",
    ]);
  });

  it("reads correctly when a checkpoint holds more messages than it keeps revived", async () => {
    const serializer = new CheckpointSerializer(2);
    for (let turn = 0; turn < 5; turn += 1) await roundTrip(serializer, checkpointWith(conversation(turn)));
    const again = (await roundTrip(serializer, checkpointWith(conversation(0)))) as {
      channel_values: { messages: BaseMessage[] };
    };
    expect(again.channel_values.messages.map((message) => message.content)).toEqual([
      "Order the omakase, turn 0",
      "",
      "Rejected by the reviewer rita: too expensive.",
      [{ type: "text", text: "It was not ordered." }],
    ]);
  });

  it("reads a checkpoint it has just written as a cold read would, without parsing it again", async () => {
    const serializer = new CheckpointSerializer();
    const messages = conversation(6);
    const checkpoint = checkpointWith(messages, { note: undefined, empty: [] });
    const [type, bytes] = await serializer.dumpsTyped(checkpoint);
    type Read = ReturnType<typeof checkpointWith> & { channel_values: { note?: string } };
    const parse = vi.spyOn(JSON, "parse");
    const warm = (await serializer.loadsTyped(type, bytes)) as Read;
    expect(parse).not.toHaveBeenCalled();
    parse.mockRestore();
    const cold = (await new JsonPlusSerializer().loadsTyped(type, bytes)) as Read;
    expect(warm).toEqual(cold);
    expect("note" in warm.channel_values).toBe("note" in cold.channel_values);
    expect(warm.channel_values.messages[0]).toBe(messages[0]);
    // Neither what LangGraph does to the checkpoint it wrote nor to one it read reaches a later read.
    checkpoint.channel_values.actingUser = "joe";
    (warm.channel_values as Record<string, unknown>).grants = {};
    const again = (await serializer.loadsTyped(type, bytes)) as Read;
    expect(again).toEqual(cold);
  });

  it("leaves to the reviver a written value a read could give back differently", async () => {
    const serializer = new CheckpointSerializer();
    const lookalike = {
      lc: 1,
      type: "constructor",
      id: ["langchain_core", "messages", "HumanMessage"],
      kwargs: { content: "hi" },
    };
    for (const extra of [{ seen: new Set(["a"]) }, { when: new Date(0) }, { args: lookalike }]) {
      const [type, bytes] = await serializer.dumpsTyped(checkpointWith(conversation(7), extra));
      const ours: unknown = await serializer.loadsTyped(type, bytes);
      expect(ours).toEqual(await new JsonPlusSerializer().loadsTyped(type, bytes));
    }
  });
});
