import { expect, it } from "vitest";
import type { SuiteContext } from "../toolSuite.js";
import type { Session } from "../toolClient.js";

type Item = { id: string; status: string; requester: string; role: string; resourceInstance: string };

async function askForPizza(henry: Session): Promise<string> {
  const created = await henry.ok("create_access_request", {
    resource_instance: "pizza-palace",
    role: "child-can-order",
    reason: "I want to order pizza for dinner",
  });
  expect(created.status).toBe("pending");
  expect(created.requester).toBe("henry");
  return created.id as string;
}

async function listIds(session: Session, args: Record<string, unknown> = {}): Promise<string[]> {
  const page = await session.ok("list_access_requests", args);
  return (page.items as Item[]).map((item) => item.id);
}

export function accessRequestTests(ctx: SuiteContext): void {
  it("grants the role when a reviewer approves, and says so to both sides", async () => {
    const henry = await ctx.as("henry");
    const joe = await ctx.as("joe");
    const id = await askForPizza(henry);
    const pending = await joe.call("list_access_requests", { status: "pending" });
    expect(pending.text).toContain(id);
    expect(pending.text).toContain("henry asks for role child-can-order on pizza-palace");
    const approved = await joe.call("approve_access_request", {
      access_request_id: id,
      reviewer_comment: "ok, once a week",
    });
    expect(approved.isError).toBe(false);
    expect(approved.data).toMatchObject({
      status: "approved",
      reviewer: "joe",
      reviewerComment: "ok, once a week",
    });
    expect(
      (await henry.ok("check_permission", { action: "read", resource_instance: "pizza-palace" })).allowed,
    ).toBe(true);
    const mine = await henry.ok("list_access_requests", {});
    expect((mine.items as Item[])[0]).toMatchObject({ id, status: "approved" });
  });

  it("denies without granting, keeping the reviewer's comment", async () => {
    const henry = await ctx.as("henry");
    const jane = await ctx.as("jane");
    const id = await askForPizza(henry);
    const denied = await jane.ok("deny_access_request", {
      access_request_id: id,
      reviewer_comment: "not on school nights",
    });
    expect(denied).toMatchObject({
      status: "denied",
      reviewer: "jane",
      reviewerComment: "not on school nights",
    });
    expect(
      (await henry.ok("check_permission", { action: "read", resource_instance: "pizza-palace" })).allowed,
    ).toBe(false);
    const seen = await henry.call("list_access_requests", { status: "denied" });
    expect(seen.text).toContain("not on school nights");
  });

  it("lets only reviewers of the instance decide, and leaves the request pending otherwise", async () => {
    const henry = await ctx.as("henry");
    const rose = await ctx.as("rose");
    const id = await askForPizza(henry);
    for (const [session, tool] of [
      [henry, "approve_access_request"],
      [rose, "approve_access_request"],
      [rose, "deny_access_request"],
    ] as const) {
      const refused = await session.call(tool, { access_request_id: id, user: "joe" });
      expect(refused.isError).toBe(true);
      expect(refused.text).toMatch(/^forbidden: .*reviewer/);
    }
    const joe = await ctx.as("joe");
    const still = await joe.ok("list_access_requests", { status: "pending" });
    expect((still.items as Item[]).map((item) => item.id)).toContain(id);
    expect(
      (await henry.ok("check_permission", { action: "read", resource_instance: "pizza-palace" })).allowed,
    ).toBe(false);
  });

  it("refuses a request for a role that reviews requests, and names the roles that can be asked for", async () => {
    const henry = await ctx.as("henry");
    const joe = await ctx.as("joe");
    const refused = await henry.call("create_access_request", {
      resource_instance: "pizza-palace",
      role: "parent",
      reason: "so I can approve my own orders",
    });
    expect(refused.isError).toBe(true);
    expect(refused.text).toMatch(
      /^forbidden: role "parent" on restaurants cannot be asked for: .*child-can-order$/,
    );
    expect(await listIds(joe)).toEqual([]);
    expect(await listIds(henry)).toEqual([]);
  });

  it("decides once: a second decision, even at the same moment by another reviewer, is a conflict", async () => {
    const henry = await ctx.as("henry");
    const joe = await ctx.as("joe");
    const jane = await ctx.as("jane");
    const id = await askForPizza(henry);
    const results = await Promise.all([
      joe.call("approve_access_request", { access_request_id: id }),
      jane.call("deny_access_request", { access_request_id: id }),
    ]);
    expect(results.filter((result) => !result.isError)).toHaveLength(1);
    const loser = results.find((result) => result.isError);
    expect(loser?.text).toMatch(/^conflict: .*already (approved|denied)/);
    const winner = results.find((result) => !result.isError);
    const again = await joe.call("approve_access_request", { access_request_id: id });
    expect(again.isError).toBe(true);
    expect(again.text).toMatch(/^conflict: /);
    const final = await henry.ok("list_access_requests", {});
    expect((final.items as Item[])[0]?.status).toBe(winner?.data.status);
  });

  it("lets only the requester cancel, and only while pending", async () => {
    const henry = await ctx.as("henry");
    const rose = await ctx.as("rose");
    const joe = await ctx.as("joe");
    const id = await askForPizza(henry);
    const byRose = await rose.call("cancel_access_request", { access_request_id: id });
    expect(byRose.isError).toBe(true);
    expect(byRose.text).toMatch(/^forbidden: .*requester/);
    const byJoe = await joe.call("cancel_access_request", { access_request_id: id });
    expect(byJoe.text).toMatch(/^forbidden: /);
    expect(await henry.ok("cancel_access_request", { access_request_id: id })).toMatchObject({
      status: "canceled",
    });
    const twice = await henry.call("cancel_access_request", { access_request_id: id });
    expect(twice.text).toMatch(/^conflict: .*already canceled/);
    const late = await joe.call("approve_access_request", { access_request_id: id });
    expect(late.text).toMatch(/^conflict: /);
    expect(
      (await henry.ok("check_permission", { action: "read", resource_instance: "pizza-palace" })).allowed,
    ).toBe(false);
  });

  it("shows reviewers what they review and everyone else only their own", async () => {
    const henry = await ctx.as("henry");
    const rose = await ctx.as("rose");
    const joe = await ctx.as("joe");
    const henrys = await askForPizza(henry);
    const roses = (
      await rose.ok("create_access_request", {
        resource_instance: "sushi-world",
        role: "child-can-order",
        reason: "sushi for my birthday",
      })
    ).id as string;
    expect(await listIds(henry)).toEqual([henrys]);
    expect(await listIds(rose)).toEqual([roses]);
    expect((await listIds(joe)).sort()).toEqual([henrys, roses].sort());
    expect(await listIds(joe, { resource_instance: "sushi-world" })).toEqual([roses]);
    expect(await listIds(joe, { role: "parent" })).toEqual([]);
    expect(await listIds(joe, { status: "approved" })).toEqual([]);
    const paged = await joe.ok("list_access_requests", { page: 2, per_page: 1 });
    expect(paged).toMatchObject({ total: 2, page: 2, perPage: 1 });
    expect((paged.items as Item[]).length).toBe(1);
  });
}
