// Every rule the scanner can report: its id, a title and why a finding matters. docs/rules.md
// documents each one (what it matches, where, severity, known false positives, an example); a
// test keeps the two in step.

export interface RuleInfo {
  id: string;
  title: string;
  why: string;
}

const RULES: RuleInfo[] = [
  // Build time: build scripts and proc-macros run on the developer's or CI machine at `cargo build`.
  {
    id: 'build.network',
    title: 'Build-time code reaches the network',
    why: 'Build scripts and proc-macros run with the full rights of whoever builds, before any code review of the binary; network access there can fetch or leak anything.',
  },
  {
    id: 'build.exfiltration',
    title: 'Build-time code sends local data over the network',
    why: 'Reading secrets, credentials, host identity or the consumer repository and having network access in the same build-time code is the shape of every build-time stealer seen on crates.io.',
  },
  {
    id: 'build.untrusted-fetch',
    title: 'Build-time code talks to a hidden, raw-IP or disposable endpoint, or without TLS checks',
    why: 'Legitimate -sys crates download pinned releases from named hosts over verified TLS; a raw IP, a paste/tunnel/serverless host, an obfuscated URL or a disabled certificate check are how payload servers are reached.',
  },
  {
    id: 'build.download-exec',
    title: 'Build-time code downloads a program and runs it',
    why: 'Fetching a binary and executing it during the build gives a remote server code execution on every machine that builds the crate.',
  },
  {
    id: 'build.process-spawn',
    title: 'Build-time code runs a shell or an unexpected program',
    why: 'Build scripts normally run compilers, pkg-config or git; a shell with a command string or a proc-macro spawning processes is how payloads are launched.',
  },
  {
    id: 'build.credential-access',
    title: 'Build-time code reads credential stores',
    why: 'A build has no reason to open SSH keys, cargo tokens, cloud credentials, wallets or browser stores.',
  },
  {
    id: 'build.secret-env',
    title: 'Build-time code reads secret environment variables',
    why: 'Tokens in the environment (CARGO_REGISTRY_TOKEN, GITHUB_TOKEN, AWS keys) are what CI-targeting malware steals.',
  },
  {
    id: 'build.env-enumeration',
    title: 'Build-time code enumerates the whole environment',
    why: 'Dumping every environment variable collects whatever secrets the CI job holds.',
  },
  {
    id: 'build.consumer-repo-read',
    title: "Build-time code reads outside its own crate (the consumer's repository)",
    why: 'A build script lives in the registry cache; walking up to the enclosing git repository or running git diff/remote there reads the code and history of the project that depends on it.',
  },
  {
    id: 'build.host-fingerprint',
    title: 'Build-time code collects user and host identity',
    why: 'User name, host name and public IP identify the victim; malware sends them home first.',
  },
  // Code rules, any context; severity depends on where the code runs.
  {
    id: 'code.download-exec',
    title: 'Downloads a program and runs it',
    why: 'Download-and-execute is the classic second stage: the crate stays small and the payload can change at any time.',
  },
  {
    id: 'code.write-then-exec',
    title: 'Writes a file and then executes it',
    why: 'Dropping a program to disk and running it is how embedded or downloaded payloads are launched.',
  },
  {
    id: 'code.dropper',
    title: 'Embeds an executable and launches it',
    why: 'A native executable inside the crate, written out and started, runs code no reviewer can read.',
  },
  {
    id: 'code.exfiltration',
    title: 'Sends secrets, credentials or host data over the network',
    why: 'Collecting sensitive data and sending it from the same code, especially to a hard-coded, hidden or disposable endpoint, is data theft.',
  },
  {
    id: 'code.exfiltration-split',
    title: 'Collects sensitive data in one place and sends it from another',
    why: 'Spreading collection and upload over modules does not change what the crate does.',
  },
  {
    id: 'code.shell-exec',
    title: 'Runs a shell with a command string',
    why: 'A command string hides what actually runs from static review and from rules that look at program names.',
  },
  {
    id: 'code.download-tool',
    title: 'Runs a download tool (curl, wget, certutil, PowerShell web requests)',
    why: 'Shelling out to a downloader fetches content outside of Cargo.lock and any review.',
  },
  {
    id: 'code.pipe-to-shell',
    title: 'A command line downloads and runs code (curl … | sh, iwr …; Start-Process)',
    why: 'A command that fetches and executes in one go runs whatever the server returns.',
  },
  {
    id: 'code.reverse-shell',
    title: 'Starts a shell wired to a network socket (reverse shell)',
    why: 'A shell whose input and output are a socket gives whoever is at the other end a command line on the machine.',
  },
  {
    id: 'code.persistence',
    title: 'Installs persistence (SSH keys, cron, systemd, shell rc, Run keys, LaunchAgents)',
    why: 'Persistence keeps an attacker on the machine after the crate is removed.',
  },
  {
    id: 'code.tls-disabled',
    title: 'Disables TLS certificate verification',
    why: 'Accepting any certificate lets anyone on the path serve the payload, and lets a malicious server use a throwaway certificate.',
  },
  {
    id: 'code.obfuscated-string',
    title: 'Hides a URL, address, command or secret name behind an encoding',
    why: 'Base64, hex, XOR, byte arrays, char arithmetic and reversed strings that decode to endpoints or commands exist to defeat review and scanners.',
  },
  {
    id: 'code.exfil-endpoint',
    title: 'Names a messenger, webhook, paste, tunnel, request-bin or disposable serverless host',
    why: 'Telegram bots, Discord webhooks, paste sites, tunnels and *.workers.dev/*.vercel.app hosts are the drop boxes of choice for stolen data.',
  },
  {
    id: 'code.raw-ip-endpoint',
    title: 'Talks to a hard-coded public IP address',
    why: 'Payload servers are often bare IPs: no domain to register, no name for reviewers to question.',
  },
  {
    id: 'code.cloud-metadata',
    title: 'Queries the cloud instance metadata service',
    why: "The metadata endpoint hands out the machine's cloud credentials; CI runners on cloud VMs expose it.",
  },
  {
    id: 'code.key-scan',
    title: 'Searches files for private keys, seeds or tokens',
    why: 'Regexes for hex private keys, base58 secrets or key-sized byte arrays, combined with a directory walk, are how wallet stealers find keys.',
  },
  {
    id: 'code.credential-access',
    title: 'Opens credential stores (SSH keys, cargo/cloud tokens, wallets, browser or messenger data)',
    why: "Credential stores are what information stealers read; a library rarely needs another tool's secrets.",
  },
  {
    id: 'code.secret-env',
    title: 'Reads secret environment variables',
    why: 'Reading many secret-named variables, or reading them where nothing needs them, collects credentials.',
  },
  {
    id: 'code.ci-gated',
    title: 'Behaviour gated on CI environment variables',
    why: "Payloads that only fire on CI (CI, GITLAB_CI, GITHUB_ACTIONS) avoid developers' eyes and target pipeline secrets.",
  },
  {
    id: 'code.av-evasion',
    title: 'Checks for antivirus, debuggers or analysis tools',
    why: 'Looking for security products and changing behaviour is evasion; ordinary libraries do not do it.',
  },
  // Technique families of issue 10 (rules/technique-rules.ts).
  {
    id: 'code.static-ctor',
    title: 'Runs code before main (a static constructor)',
    why: 'A `.init_array`/`.CRT$XCU` static or a `#[ctor]` function runs as soon as a program linking the crate starts, without any call from the user: a payload there needs no trigger.',
  },
  {
    id: 'code.exec-memory',
    title: 'Runs code from memory (memfd, executable mappings, VirtualAlloc, fn-pointer casts)',
    why: 'Executing a buffer never leaves a file to scan; with a decoded or embedded payload it is a loader.',
  },
  {
    id: 'code.evasion',
    title: 'Checks for debuggers, tracers, virtual machines, dates or locales before acting',
    why: 'Malware stays quiet under analysis (a tracer, a VM, a sandbox, before a date, in some locales) so that reviewers see nothing; ordinary libraries do not ask.',
  },
  {
    id: 'code.vcs-hook',
    title: "Writes git hooks (the consumer's repository)",
    why: 'A hook in .git/hooks (or a changed core.hooksPath) runs on every commit or checkout, long after the build that wrote it.',
  },
  {
    id: 'code.tamper-cargo-config',
    title: "Writes cargo's configuration (source replacement, registries, rustc wrapper)",
    why: 'A `.cargo/config.toml` that replaces crates-io, adds a registry, patches crates or sets a rustc wrapper redirects every later build to code the attacker controls.',
  },
  {
    id: 'code.covert-channel',
    title: 'Sends over a carrier that is not an HTTP client (hand-built DNS, SMTP, messenger, raw sockets)',
    why: 'Hand-built DNS queries, mail dialogues, bot APIs and raw sockets get data out where HTTP proxies and allow-lists do not look.',
  },
  {
    id: 'code.clipboard',
    title: 'Reads the clipboard',
    why: 'The clipboard holds passwords, seed phrases and wallet addresses; read alongside network access it is a stealer or a clipper.',
  },
  {
    id: 'code.clipboard-hijack',
    title: 'Reads and rewrites the clipboard and holds a cryptocurrency address (a clipper)',
    why: "Reading the clipboard, writing it back and shipping a wallet address is how clippers swap a copied address for the attacker's.",
  },
  {
    id: 'code.input-capture',
    title: 'Captures keyboard or mouse input (hooks, /dev/input, key polling)',
    why: 'A global keyboard hook or a read of /dev/input is a keylogger unless the crate is an input library.',
  },
  {
    id: 'code.screen-capture',
    title: 'Takes screenshots (a capture tool, a capture crate, a blit of the desktop)',
    why: 'A screenshot shows whatever the user has open — mail, chats, wallets, passwords being typed; taken by a library with network access it is spyware unless capture is what the crate is for.',
  },
  {
    id: 'code.decode-routine',
    title: 'Decodes bytes with a hand-written loop (XOR, RC4-like, arithmetic, reversal)',
    why: 'Hand-rolled decoders hide strings and payloads; what the decoded value is and what the code does with it decide how much it matters.',
  },
  {
    id: 'code.detached-process',
    title: 'Starts a detached background process',
    why: 'nohup/setsid/start /B keep a payload running after the build or program exits.',
  },
  {
    id: 'code.high-entropy-literal',
    title: 'Long high-entropy string literal',
    why: 'Encrypted or compressed payloads hide in long literals; in build-time code they deserve a look.',
  },
  {
    id: 'code.include-executable',
    title: 'Compiles an executable file into the code with include_bytes!',
    why: 'An embedded native executable is code that never passes review; it is usually written out and run later.',
  },
  // Flow rules (flow/): a source reaching a sink, judged by what makes the path run.
  {
    id: 'flow.exfiltration',
    title: 'Secrets, credentials or local data flow to the network',
    why: 'A value read from a credential store, a secret variable, the clipboard, the keyboard, the project tree or the environment reaches a network call; on a path that runs without being asked (build time, a constructor, Drop, the first call of the API) that is theft.',
  },
  {
    id: 'flow.download-exec',
    title: 'Downloaded bytes flow into something that runs them',
    why: 'Data fetched from the network is written and executed, piped to a shell or mapped executable: whoever controls the server runs code on the machine.',
  },
  {
    id: 'flow.decoded-exec',
    title: 'A hidden or embedded payload flows into execution',
    why: 'A value decoded at run time, a literal hidden behind an encoding or an executable shipped in the crate is run, written and run, or run from memory: a payload kept out of sight of review.',
  },
  {
    id: 'flow.persistence',
    title: 'Code writes a place that runs programs later',
    why: 'Shell rc files, cron, systemd units and timers, autostart entries, Run keys and launch agents make a payload outlive the build or the program that planted it.',
  },
  {
    id: 'flow.tamper',
    title: "Code rewrites the consumer's tools: VCS hooks or cargo configuration",
    why: "Git hooks run on the developer's next commit; a cargo config can redirect a registry or source to an attacker's copy of every dependency.",
  },
  // Archive rules.
  {
    id: 'archive.executable',
    title: 'Ships a native executable (ELF, PE or Mach-O)',
    why: 'Executables cannot be reviewed as source; outside test fixtures they are rarely needed in a crate.',
  },
  {
    id: 'archive.hidden-file',
    title: 'Ships an unusual hidden file',
    why: 'Dotfiles are easy to overlook in a review; payloads and staged scripts hide there.',
  },
  {
    id: 'archive.high-entropy-blob',
    title: 'Ships a high-entropy blob of unknown format',
    why: 'Encrypted or packed payloads look like random bytes.',
  },
  {
    id: 'archive.script-payload',
    title: 'Ships a script that downloads, persists or exfiltrates',
    why: 'A build script can run shipped shell/PowerShell/Python scripts; their content is payload like any other.',
  },
  {
    id: 'archive.unparsed-source',
    title: 'Rust source that could not be analysed',
    why: 'Oversized or non-UTF-8 sources are skipped by the parser; what they contain was not checked.',
  },
  {
    id: 'archive.unexamined-content',
    title: "Files not examined: over the scanner's read ceiling",
    why: 'The scanner reads a bounded amount of each crate; whatever lies beyond was not checked, and padding a crate with bulk is a way to push a payload past a scanner.',
  },
  // Manifest rules.
  {
    id: 'manifest.build-network-deps',
    title: 'Build dependencies include an HTTP client',
    why: 'A build script with an HTTP client can download or upload at build time.',
  },
  {
    id: 'manifest.proc-macro-network-deps',
    title: 'A proc-macro crate depends on network crates',
    why: 'Macros run inside the compiler; network access there is almost never needed.',
  },
  {
    id: 'manifest.lib-name-mismatch',
    title: "The library's name differs from the package name",
    why: 'Clones keep the original library name so that `use original::…` keeps compiling after a typo in Cargo.toml.',
  },
  {
    id: 'manifest.unused-dependency',
    title: 'A dependency is never referenced by the code',
    why: 'A dependency that nothing uses may exist only to pull another crate (and its build script) into every build.',
  },
  {
    id: 'manifest.lenient-parse',
    title: 'Cargo.toml did not pass strict parsing',
    why: 'The scanner read it leniently; odd manifests can hide targets from tools.',
  },
  {
    id: 'manifest.missing',
    title: 'No readable Cargo.toml',
    why: 'Without the manifest the scanner cannot tell build scripts and proc-macros apart.',
  },
  // Registry-aware rules.
  {
    id: 'registry.young-dependency',
    title: 'The release adds a dependency on a very new crate',
    why: 'Compromised releases (arrayref 0.3.10) add a dependency on a days-old payload crate.',
  },
  {
    id: 'registry.unpopular-dependency',
    title: 'The release adds a dependency that no other crate uses',
    why: 'A dependency with no other dependents exists for this crate alone; in a patch release of an established crate that is suspicious.',
  },
  {
    id: 'registry.flagged-dependency',
    title: 'Depends on a crate the scanner flagged',
    why: 'Everything a dependency does runs in every build and program that uses this crate.',
  },
  {
    id: 'registry.build-script-added',
    title: 'A build script appears in a patch release',
    why: 'Patch releases fix bugs; adding code that runs at build time is how takeovers deploy payloads.',
  },
  {
    id: 'registry.new-publisher',
    title: 'A new publisher releases an established crate',
    why: 'Account takeovers and hand-overs publish from accounts that never released the crate before.',
  },
  {
    id: 'registry.yank-then-publish',
    title: 'Earlier versions were yanked just before this publish',
    why: 'Yanking good versions forces resolution onto the new (possibly malicious) one.',
  },
  {
    id: 'registry.clone-of-popular',
    title: 'The files are copies of a popular crate published under another name',
    why: 'Typosquats copy the original so they work, then change one function.',
  },
  {
    id: 'registry.clone',
    title: "The crate is a copy of a popular crate's published version, function by function",
    why: 'Impersonating crates copy the original (name, repository, README, API) so they work, then change or add one function; the diff shows exactly what the copy does differently.',
  },
  // Sandboxed build (`scan --detonate`, the `detonate` job): what the build did, from its syscall trace.
  {
    id: 'sandbox.network',
    title: 'The sandboxed build tried to reach the network',
    why: 'Nothing in a build needs a socket when dependencies are vendored; a connect from a build script or a proc-macro is a download or an upload.',
  },
  {
    id: 'sandbox.dns',
    title: 'The sandboxed build looked up a host name',
    why: 'A DNS query names the server the code wants, and is itself a channel (data in the labels) that leaves many firewalls.',
  },
  {
    id: 'sandbox.exec',
    title: 'The sandboxed build ran a shell or an unexpected program',
    why: 'Builds run compilers, linkers and pkg-config; a shell with a command string, a downloader or an interpreter is how payloads start.',
  },
  {
    id: 'sandbox.canary-read',
    title: 'The sandboxed build read a planted credential',
    why: 'The fake home holds canary SSH keys, cloud and cargo credentials and a wallet; no build has a reason to open them.',
  },
  {
    id: 'sandbox.canary-exfil',
    title: 'The sandboxed build sent a planted credential out',
    why: 'A canary value in an outgoing packet is a credential theft caught in the act.',
  },
  {
    id: 'sandbox.credential-probe',
    title: 'The sandboxed build looked for credential stores',
    why: 'Probing ~/.ssh, ~/.aws, keyrings or wallets, even where nothing is found, is what stealers do first.',
  },
  {
    id: 'sandbox.home-read',
    title: 'The sandboxed build read files in the home directory',
    why: "The home directory holds the builder's own data; a build reads its sources, the toolchain and system headers.",
  },
  {
    id: 'sandbox.home-write',
    title: 'The sandboxed build wrote to the home directory',
    why: "Writes to shell rc files, autostart entries, systemd user units or cargo's configuration are persistence and tampering.",
  },
  {
    id: 'sandbox.project-read',
    title: "The sandboxed build's code read the consumer project",
    why: 'A build script or proc-macro walking into the project that depends on it reads its code, history and secrets.',
  },
  {
    id: 'sandbox.project-write',
    title: 'The sandboxed build wrote into the consumer project',
    why: "Writing the dependent's tree (VCS hooks, .cargo/config.toml, sources) is tampering with someone else's code.",
  },
  {
    id: 'sandbox.source-write',
    title: 'The sandboxed build wrote into its own source tree',
    why: 'Build output belongs in OUT_DIR; writing the crate directory (the registry cache on a real machine) is unusual and sometimes hides a payload.',
  },
  {
    id: 'sandbox.sensitive-read',
    title: 'The sandboxed build read host identity or secrets',
    why: "/etc/passwd, host name, machine id, other processes' environments: the host fingerprint malware sends home first.",
  },
  {
    id: 'sandbox.outside-read',
    title: 'The sandboxed build opened a file outside the build',
    why: 'Recorded for context: a path that is neither the build, the toolchain nor the system libraries.',
  },
  {
    id: 'sandbox.outside-write',
    title: 'The sandboxed build tried to write outside the build',
    why: 'System directories are read-only in the sandbox; an attempt to write them is an attempt to install something.',
  },
  {
    id: 'sandbox.timeout',
    title: 'The sandboxed build did not finish in time',
    why: 'A build script that stalls may be waiting out an analysis window, or looping on a server it cannot reach.',
  },
  {
    id: 'sandbox.build-failed',
    title: 'The sandboxed build failed',
    why: 'Recorded for context: a failed build still ran whatever executed before the failure, and ran nothing after it.',
  },
  {
    id: 'sandbox.process-limit',
    title: 'The sandboxed build hit its process ceiling',
    why: 'A build that tries to start more processes and threads than a whole cargo build needs is flooding the machine (a fork bomb) or hiding work among many children; the sandbox refused the excess.',
  },
  // Multi-crate mode.
  {
    id: 'together.flagged-dependency',
    title: 'Depends on a crate flagged in the same scan',
    why: 'Wrappers carry no payload themselves: their purpose is to pull the payload crate into builds.',
  },
];

export const RULE_CATALOG: ReadonlyMap<string, RuleInfo> = new Map(RULES.map((r) => [r.id, r]));

export function ruleInfo(id: string): RuleInfo {
  const r = RULE_CATALOG.get(id);
  if (!r) throw new Error(`unknown scanner rule ${id}`);
  return r;
}
