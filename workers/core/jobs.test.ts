import { describe, expect, it } from "vitest";
import { encodeCursor } from "./cursor";
import {
  duplicateNames,
  JobFormSchema,
  JobInputSchema,
  JobListQuerySchema,
  splitStageLines,
} from "./jobs";

describe("JobInputSchema", () => {
  it("trims the title and stage names and keeps the stage order", () => {
    const job = JobInputSchema.parse({
      title: "  Staff Engineer ",
      stages: [" Sourced", "Screen "],
    });
    expect(job).toEqual({ title: "Staff Engineer", stages: ["Sourced", "Screen"] });
  });

  it("defaults to no stages", () => {
    expect(JobInputSchema.parse({ title: "Designer" }).stages).toEqual([]);
  });

  it("names the title when it is blank", () => {
    const r = JobInputSchema.safeParse({ title: "   " });
    expect(r.error?.issues.map((i) => i.path.join("."))).toEqual(["title"]);
  });

  it("names the stage that is blank by its index", () => {
    const r = JobInputSchema.safeParse({ title: "Designer", stages: ["Sourced", " "] });
    expect(r.error?.issues.map((i) => i.path.join("."))).toEqual(["stages.1"]);
  });

  it("refuses the same stage name twice, ignoring case", () => {
    const r = JobInputSchema.safeParse({
      title: "Designer",
      stages: ["Screen", "Offer", "screen"],
    });
    expect(r.error?.issues[0]?.path).toEqual(["stages"]);
    expect(r.error?.issues[0]?.message).toContain('"Screen"');
  });
});

describe("JobFormSchema", () => {
  it("reads stage names one per line, skipping blank lines", () => {
    const job = JobFormSchema.parse({
      title: "Recruiter",
      stages: "Sourced\r\n\n  Screen \nOffer\n",
    });
    expect(job.stages).toEqual(["Sourced", "Screen", "Offer"]);
  });

  it("accepts a job without stages when the textarea is left empty", () => {
    expect(JobFormSchema.parse({ title: "Recruiter" }).stages).toEqual([]);
  });
});

describe("stage helpers", () => {
  it("splitStageLines drops blank lines", () => {
    expect(splitStageLines("a\n\n b \n")).toEqual(["a", "b"]);
  });

  it("duplicateNames reports each repeated name once, as first written", () => {
    expect(duplicateNames(["Offer", "offer", "OFFER", "Screen"])).toEqual(["Offer"]);
  });
});

describe("job cursor", () => {
  it("reads the [createdAt, id] key of a page", () => {
    const id = "0b7c1f3e-9d1c-4b55-8a43-2a3c0f0e9d11";
    const cursor = encodeCursor([1_790_000_000_123, id]);
    expect(JobListQuerySchema.parse({ cursor }).cursor).toEqual({
      createdAt: 1_790_000_000_123,
      id,
    });
  });

  it("refuses text that is not a cursor, and the old colon form", () => {
    for (const cursor of ["not base64!", btoa("12:abc; drop table"), encodeCursor(["a", "b"])]) {
      const r = JobListQuerySchema.safeParse({ cursor });
      expect(
        r.error?.issues.map((i) => i.path.join(".")),
        cursor,
      ).toEqual(["cursor"]);
    }
  });
});
