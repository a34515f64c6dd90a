// Parses chat texts with whatsapp-chat-parser for the differential test.
// stdin: JSON [{text, daysFirst}] ; stdout: JSON [[{date, author, message, attachment}]].
// Run with TZ=UTC: the library builds local-time Date objects, so in UTC their ISO form is
// the export's own wall-clock time, comparable with Mettri's naive datetimes.
import { parseString } from 'whatsapp-chat-parser';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const jobs = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const out = jobs.map(({ text, daysFirst }) =>
  parseString(text, { parseAttachments: true, ...(daysFirst === null ? {} : { daysFirst }) }).map((m) => ({
    date: Number.isNaN(m.date.getTime()) ? null : m.date.toISOString().slice(0, 19),
    author: m.author,
    message: m.message,
    attachment: m.attachment ? m.attachment.fileName : null,
  })),
);
process.stdout.write(JSON.stringify(out));
