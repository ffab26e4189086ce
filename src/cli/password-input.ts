// Reads a password: from standard input when it is piped (`--password-stdin`), or with a
// hidden prompt on a terminal, asked twice.
import { createInterface } from 'node:readline';

export async function readPasswordFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
    if (Buffer.concat(chunks).length > 4096) throw new Error('password on standard input is too long');
  }
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

function askHidden(question: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    // Replace echoed characters: nothing of the password reaches the screen.
    const out = rl as unknown as { _writeToOutput: (s: string) => void };
    let prompted = false;
    out._writeToOutput = (s: string) => {
      if (!prompted) {
        process.stderr.write(s);
        prompted = true;
      }
    };
    rl.question(question, (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
  });
}

export async function promptNewPassword(login: string): Promise<string> {
  if (!process.stdin.isTTY)
    throw new Error('no terminal to ask for a password on: pipe it with --password-stdin');
  const first = await askHidden(`password for ${login}: `);
  const second = await askHidden('again: ');
  if (first !== second) throw new Error('the passwords differ');
  return first;
}
