import { parseCrontab } from "graphile-worker";
import { describe, expect, it } from "vitest";
import { jobPayloadSchemas } from "../db/queue/job-payloads";
import { buildTaskList, CRONTAB } from "./task-list";

describe("task list", () => {
  const tasks = buildTaskList({ db: {} as never });

  it("has a task for every payload schema and a schema for every task", () => {
    expect(Object.keys(tasks).sort()).toEqual(Object.keys(jobPayloadSchemas).sort());
  });

  it("has a crontab graphile-worker accepts, naming only known tasks", () => {
    const items = parseCrontab(CRONTAB);
    expect(items.length).toBeGreaterThan(0);
    for (const item of items) expect(Object.keys(tasks)).toContain(item.task);
  });
});
