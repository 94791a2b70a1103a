import { execFile } from 'node:child_process';
import path from 'node:path';

/**
 * Text of a PDF, extracted by pdf-parse (pdf.js) in a child node process: pdf.js loads its worker with a dynamic
 * import, which jest's module sandbox refuses.
 */
export function pdfText(buf: Buffer): Promise<string> {
  const script = `
    const { PDFParse } = require('pdf-parse');
    const chunks = [];
    process.stdin.on('data', (c) => chunks.push(c));
    process.stdin.on('end', async () => {
      const p = new PDFParse({ data: new Uint8Array(Buffer.concat(chunks)) });
      const r = await p.getText();
      await p.destroy();
      process.stdout.write(r.text);
    });`;
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, ['-e', script], { cwd: path.resolve(__dirname, '../..'), maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) =>
      err ? reject(new Error(`pdf-parse failed: ${stderr || err.message}`)) : resolve(stdout),
    );
    child.stdin!.end(buf);
  });
}
