import { header } from "./message";
import { cleanAddress, dsnField, fillet, type MtaReader, sweep } from "./mta-common";
import { Deliveries, linesFrom } from "./mta-scan";

// Readers of Sendmail's bounces, after sisimai's Sisimai::Lhost::Sendmail and ::V5sendmail
// (libsisimai-perl 4.25.15, BSD 2-clause).

/** Sendmail 8: "Returned mail: see transcript for details". */
export const sendmail: MtaReader = (m) => {
  if (!/(?:see transcript for details$|^Warning: )/.test(m.subject)) return null;
  if (header(m.mail, "x-aol-ip")) return null;
  const report = fillet(m.body, /^Content-Type: (?:message\/rfc822|text\/rfc822-headers)/m)[0];
  const lines = linesFrom(report, (l) =>
    l.startsWith("   ----- Transcript of session follows -----"),
  );
  const ds = new Deliveries();
  let command = "";
  const replies: string[] = [];
  let sessionError = false;
  const another = { recipient: "", diagnostic: "", status: "" };
  let previous = "";
  let reportingHost = "";
  for (const line of lines.slice(1)) {
    if (!line) continue;
    const f = dsnField(line);
    if (f) {
      if (f.name === "final-recipient") ds.add(f.value);
      else if (f.name === "action") ds.current.action = f.value;
      else if (f.name === "status") ds.current.status = f.value;
      else if (f.name === "remote-mta") ds.current.rhost = f.value;
      else if (f.name === "reporting-mta") reportingHost ||= f.value;
      else if (f.name === "diagnostic-code") {
        ds.current.diagnosticType = f.type;
        ds.current.diagnostic = f.value;
      }
    } else if (!line.startsWith(" ")) {
      const sent = /^>>> +([A-Z]{4}) ?/.exec(line);
      const got = /^<<< +(.+)$/.exec(line);
      if (sent) command = sent[1];
      else if (got) {
        if (!replies.includes(got[1])) replies.push(got[1]);
      } else if (!sessionError) {
        if (line.startsWith("... while talking to ")) sessionError = true;
        else {
          const said = /^<(.+)>\.+ (.+)$/.exec(line);
          const coded = /^[45]\d\d[ \t]([45]\.\d\.\d)[ \t].+/.exec(line);
          if (said) {
            another.recipient = said[1];
            another.diagnostic = said[2];
          } else if (coded) {
            another.status = coded[1];
            another.diagnostic += ` ${line}`;
          } else if (line.startsWith("Message: ") || line.startsWith("Warning: ")) {
            another.diagnostic += ` ${line}`;
          }
        }
      }
    } else if (previous.startsWith("Diagnostic-Code:") && /^[ \t]+\S/.test(line)) {
      ds.current.diagnostic += ` ${line.trim()}`;
    }
    previous = line;
  }
  if (ds.recipients === 0) return null;
  for (const d of ds.list) {
    d.rhost ||= reportingHost;
    d.command ||= command || (replies.length > 0 ? "EHLO" : "");
    if (another.diagnostic) {
      if (/^[ \t]+$/.test(d.diagnostic) || !d.diagnostic || /^\d+$/.test(d.diagnostic)) {
        d.diagnostic = another.diagnostic;
      }
    }
    const transcript = replies.join(" ");
    if (transcript.length > d.diagnostic.length) d.diagnostic = transcript;
    d.diagnostic = sweep(d.diagnostic);
    if (another.status && !/^[45]\.\d\.\d{1,3}$/.test(d.status)) d.status = another.status;
    if (!/^[^ ]+@[^ ]+$/.test(d.recipient)) {
      const inWords = /<([^ ]+@[^ ]+)>/.exec(d.diagnostic)?.[1];
      if (inWords) d.recipient = cleanAddress(inWords);
    }
  }
  return ds.list;
};

/** Sendmail 5: "Returned mail: User unknown" with a transcript of the session. */
export const v5sendmail: MtaReader = (m) => {
  if (!/^Returned mail: [A-Z]/.test(m.subject)) return null;
  const [report, returned] = fillet(
    m.body,
    /^[ ]+----- (?:Unsent message follows|No message was collected) -----/m,
  );
  if (!returned) return null;
  const lines = linesFrom(report, (l) => l.includes("----- Transcript of session follows -----"));
  const ds = new Deliveries();
  const responses: string[] = [];
  const commands: string[] = [];
  let another = "";
  let sessionError = false;
  for (const line of lines.slice(1)) {
    if (!line) continue;
    const rcpt = /^\d{3}[ \t]+<([^ ]+@[^ ]+)>\.{3}[ \t]*(.+)$/.exec(line);
    const sent = /^>>>[ \t]*([A-Z]{4})[ \t]*/.exec(line);
    const got = /^<<<[ ]+(.+)$/.exec(line);
    if (rcpt) {
      const response = responses[ds.recipients];
      const d = ds.add(rcpt[1]);
      d.diagnostic = response ? `${rcpt[2]}: ${response}` : rcpt[2];
    } else if (sent) {
      commands[ds.recipients] = sent[1];
    } else if (got) {
      responses[ds.recipients] = got[1];
    } else if (!sessionError) {
      if (/^\.+ while talking to .+:$/.test(line)) sessionError = true;
      else another = /^\d{3}[ \t]+.+\.{3}[ \t]*(.+)$/.exec(line)?.[1] ?? another;
    }
  }
  if (ds.recipients === 0) {
    const to = /^To:[ ]*(.+)/m.exec(returned)?.[1];
    if (!to) return null;
    ds.add(to);
  }
  ds.list.forEach((d, i) => {
    d.command = commands[i] ?? "";
    d.diagnostic ||= another || (responses[i] ?? "");
    d.diagnostic = sweep(d.diagnostic);
    if (!/^[^ ]+@[^ ]+$/.test(d.recipient)) {
      const inWords = /<([^ ]+@[^ ]+)>/.exec(d.diagnostic)?.[1];
      if (inWords) d.recipient = cleanAddress(inWords);
    }
  });
  return ds.list;
};
