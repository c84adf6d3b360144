export function expandCutDump(input: string, out: string): string;
