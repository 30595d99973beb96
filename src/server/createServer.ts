import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { Backend } from "./backends/types.js";
import type { DemoConfig } from "./demo/menu.js";
import { registerListDishes } from "./demo/listDishes.js";
import { registerOrderDish } from "./demo/orderDish.js";
import { registerApproveAccessRequest } from "./tools/approveAccessRequest.js";
import { registerApproveOperationApproval } from "./tools/approveOperationApproval.js";
import { registerCancelAccessRequest } from "./tools/cancelAccessRequest.js";
import { registerCancelOperationApproval } from "./tools/cancelOperationApproval.js";
import { registerCheckPermission } from "./tools/checkPermission.js";
import { registerCreateAccessRequest } from "./tools/createAccessRequest.js";
import { registerCreateOperationApproval } from "./tools/createOperationApproval.js";
import { registerDenyAccessRequest } from "./tools/denyAccessRequest.js";
import { registerDenyOperationApproval } from "./tools/denyOperationApproval.js";
import { registerListAccessRequests } from "./tools/listAccessRequests.js";
import { registerListOperationApprovals } from "./tools/listOperationApprovals.js";
import { registerListResourceInstances } from "./tools/listResourceInstances.js";
import type { ToolDeps } from "./tools/toolKit.js";

export interface CreateServerOptions {
  backend: Backend;
  /** The user this session acts for: bound by the transport, never taken from tool arguments. */
  actor: string;
  /** Adds the family food demo's list_dishes and order_dish. */
  demo?: DemoConfig;
}

const accessTools: ((server: McpServer, deps: ToolDeps) => void)[] = [
  registerListResourceInstances,
  registerCheckPermission,
  registerCreateAccessRequest,
  registerListAccessRequests,
  registerApproveAccessRequest,
  registerDenyAccessRequest,
  registerCancelAccessRequest,
  registerCreateOperationApproval,
  registerListOperationApprovals,
  registerApproveOperationApproval,
  registerDenyOperationApproval,
  registerCancelOperationApproval,
];

/** One MCP server per session: the tools close over that session's acting user. */
export function createServer(options: CreateServerOptions): McpServer {
  const server = new McpServer(
    { name: "askfirst-access-requests", version: "0.1.0" },
    {
      instructions:
        `Access requests and operation approvals for ${options.backend.resourceType}, acting as user ` +
        `"${options.actor}". Ask for access with create_access_request; ask for a one-time approval with ` +
        "create_operation_approval; reviewers decide with the approve_/deny_ tools.",
    },
  );
  const deps: ToolDeps = { backend: options.backend, actor: options.actor };
  for (const register of accessTools) register(server, deps);
  if (options.demo) {
    registerListDishes(server, deps, options.demo);
    registerOrderDish(server, deps, options.demo);
  }
  return server;
}
