import { describe, expect, it } from "vitest";
import { loadPermitConfig } from "../../../../src/server/backends/permit/config.js";
import { usageErrorOf } from "../../../helpers/usageError.js";

const complete = {
  PERMIT_API_KEY: "permit_key_SECRETVALUE123",
  PERMIT_PDP_URL: "http://127.0.0.1:7766/",
  PROJECT_ID: "askfirst",
  ENV_ID: "dev",
  RESOURCE_KEY: "restaurants",
  ACCESS_ELEMENTS_CONFIG_ID: "user-management",
  OPERATION_ELEMENTS_CONFIG_ID: "approval-management",
};

describe("Permit backend configuration", () => {
  it("reads every variable and fills the defaults", () => {
    const config = loadPermitConfig(complete);
    expect(config).toEqual({
      apiKey: "permit_key_SECRETVALUE123",
      pdpUrl: "http://127.0.0.1:7766",
      apiUrl: "https://api.permit.io",
      projectId: "askfirst",
      envId: "dev",
      tenant: "default",
      resourceKey: "restaurants",
      accessElementsConfigId: "user-management",
      operationElementsConfigId: "approval-management",
      reviewerRoles: ["_Reviewer_"],
    });
  });

  it("reads the requestable roles, and refuses a reviewer role among them", () => {
    const config = loadPermitConfig({ ...complete, REQUESTABLE_ROLES: "child-can-order, guest" });
    expect(config.requestableRoles).toEqual(["child-can-order", "guest"]);
    const error = usageErrorOf(() =>
      loadPermitConfig({
        ...complete,
        REVIEWER_ROLES: "parent,_Reviewer_",
        REQUESTABLE_ROLES: "parent,guest",
      }),
    );
    expect(error.message).toContain("REQUESTABLE_ROLES: names reviewer roles (parent)");
  });

  it("names every missing variable on one line, with exit code 2", () => {
    const error = usageErrorOf(() => loadPermitConfig({}));
    expect(error.exitCode).toBe(2);
    expect(error.message).not.toContain("\n");
    for (const name of Object.keys(complete)) expect(error.message).toContain(`${name}: missing`);
    expect(error.message).not.toContain("TENANT");
    expect(error.message).not.toContain("PERMIT_API_URL");
  });

  it("names bad values without echoing the API key", () => {
    const error = usageErrorOf(() =>
      loadPermitConfig({
        ...complete,
        PERMIT_API_KEY: "permit_key_SECRET VALUE",
        PERMIT_PDP_URL: "localhost:7766",
        PROJECT_ID: "my/project",
        PERMIT_API_URL: "ftp://api.permit.io",
      }),
    );
    expect(error.message).toContain("PERMIT_API_KEY: must be a single token");
    expect(error.message).toContain("PERMIT_PDP_URL: must be an http(s) URL");
    expect(error.message).toContain("PERMIT_API_URL: must be an http(s) URL");
    expect(error.message).toContain("PROJECT_ID: must be");
    expect(error.message).not.toContain("SECRET");
    expect(error.message).not.toContain("ENV_ID");
  });

  it("reads reviewer roles as a comma-separated list", () => {
    const config = loadPermitConfig({ ...complete, REVIEWER_ROLES: " parent , _Reviewer_ " });
    expect(config.reviewerRoles).toEqual(["parent", "_Reviewer_"]);
    const error = usageErrorOf(() => loadPermitConfig({ ...complete, REVIEWER_ROLES: "parent,,x y" }));
    expect(error.message).toContain("REVIEWER_ROLES: must be comma-separated role keys");
  });

  it("treats blank values as missing", () => {
    const error = usageErrorOf(() => loadPermitConfig({ ...complete, ENV_ID: "  " }));
    expect(error.message).toMatch(/ENV_ID: missing/);
  });
});
