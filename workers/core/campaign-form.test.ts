import { describe, expect, it } from "vitest";
import {
  blankCampaignForm,
  CampaignFormSchema,
  formPath,
  formToInput,
  newStage,
} from "./campaign-form";

const email = {
  type: "email" as const,
  delayValue: 0,
  delayUnit: "days" as const,
  mailboxId: "mb1",
  subject: "Hi {{firstName}}",
  body: "Hello {{firstName}}",
  emailPriority: "personal_first" as const,
};

describe("campaign form", () => {
  it("turns a delay value and unit into minutes", () => {
    const input = formToInput({
      name: "Q3",
      stages: [email, { type: "call", delayValue: 2, delayUnit: "hours", title: "Intro" }],
    });
    expect(input.stages.map((s) => s.delayMinutes)).toEqual([0, 120]);
  });

  it("keeps an existing stage's id and stores a textarea's CRLF line ends as LF", () => {
    const input = formToInput({
      name: "Q3",
      stages: [
        { ...email, id: "st-1", body: "Hi\r\n\r\nBye" },
        { type: "sms", delayValue: 1, delayUnit: "days", body: "a\r\nb" },
      ],
    });
    expect(input.stages[0]).toMatchObject({ id: "st-1", body: "Hi\n\nBye" });
    expect(input.stages[1]).toEqual({ type: "sms", delayMinutes: 1440, body: "a\nb" });
  });

  it("sends no window unless the window box is ticked", () => {
    const base = { name: "Q3", stages: [email], windowDays: [1, 2], windowStart: "09:00" };
    expect(formToInput(base).sendingWindow).toBeNull();
    expect(formToInput({ ...base, windowOn: true, windowEnd: "17:00" }).sendingWindow).toEqual({
      days: [1, 2],
      start: "09:00",
      end: "17:00",
    });
  });

  it("reads unticked checkboxes as off, including tracking", () => {
    const input = formToInput({ name: "Q3", stages: [email] });
    expect(input).toMatchObject({ shared: false, trackOpens: false, unsubscribeLink: false });
  });

  it("drops a job stage without a job", () => {
    expect(formToInput({ name: "x", jobStage: "Screen", stages: [] }).jobStage).toBeNull();
  });

  it("puts window and delay errors on the inputs the person typed in", () => {
    expect(formPath(["sendingWindow", "end"])).toEqual(["windowEnd"]);
    expect(formPath(["sendingWindow", "days", 0])).toEqual(["windowDays"]);
    expect(formPath(["stages", 2, "delayMinutes"])).toEqual(["stages", 2, "delayValue"]);
    expect(formPath(["stages", 1, "subject"])).toEqual(["stages", 1, "subject"]);
  });

  it("names every bad field with the engine's own messages", () => {
    const result = CampaignFormSchema.safeParse({
      name: "",
      windowOn: true,
      windowDays: [],
      windowStart: "18:00",
      windowEnd: "09:00",
      stages: [
        { ...email, mailboxId: undefined, subject: "", delayValue: 600, body: "{{fristName}}" },
      ],
    });
    expect(result.success).toBe(false);
    const byPath = new Map(result.error?.issues.map((i) => [i.path.join("."), i.message]));
    expect(byPath.get("name")).toBe("Enter the campaign name");
    expect(byPath.get("windowDays")).toBe("Choose at least one day");
    expect(byPath.get("windowEnd")).toBe("The window must end after it starts");
    expect(byPath.get("stages.0.mailboxId")).toBe("Choose the mailbox this email is sent from");
    expect(byPath.get("stages.0.subject")).toBe("Enter the subject");
    expect(byPath.get("stages.0.delayValue")).toBe("The delay is at most 365 days");
    expect(byPath.get("stages.0.body")).toMatch(/Unknown merge field \{\{fristName\}\}/);
  });

  it("asks for at least one stage", () => {
    const result = CampaignFormSchema.safeParse({ ...blankCampaignForm(), name: "x", stages: [] });
    expect(result.error?.issues.map((i) => [i.path.join("."), i.message])).toContainEqual([
      "stages",
      "Add at least one stage",
    ]);
  });

  it("gives a valid form as the campaign input the API takes", () => {
    const result = CampaignFormSchema.parse({
      ...blankCampaignForm(),
      name: "  Backend Q3 ",
      stages: [email, { ...newStage("task", 1), title: "Connect on LinkedIn" }],
    });
    expect(result).toMatchObject({
      name: "Backend Q3",
      status: "active",
      sendingWindow: null,
      stages: [
        { type: "email", delayMinutes: 0, mailboxId: "mb1", sameThread: false },
        { type: "task", delayMinutes: 3 * 1440, title: "Connect on LinkedIn" },
      ],
    });
  });
});

describe("campaign form delays", () => {
  it("asks for a missing delay once, beside the other errors", () => {
    const result = CampaignFormSchema.safeParse({
      name: "",
      stages: [{ ...email, delayValue: undefined }],
    });
    const issues = result.error?.issues.map((i) => [i.path.join("."), i.message]) ?? [];
    expect(issues).toContainEqual([
      "stages.0.delayValue",
      "Enter the delay as a number (0 for none)",
    ]);
    expect(issues.filter(([p]) => p === "stages.0.delayValue")).toHaveLength(1);
    expect(issues).toContainEqual(["name", "Enter the campaign name"]);
  });

  it("reports a negative delay with the other fields' errors", () => {
    const result = CampaignFormSchema.safeParse({
      name: "",
      stages: [{ ...email, delayValue: -1 }],
    });
    const paths = result.error?.issues.map((i) => i.path.join(".")) ?? [];
    expect(paths).toEqual(expect.arrayContaining(["name", "stages.0.delayValue"]));
  });
});
