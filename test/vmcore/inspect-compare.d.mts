export function baseName(name: string): string;
export function drgnFunctions(frames: readonly { name: string | null; inline: boolean }[]): string[];
export function ourFunctions(frames: readonly { symbol?: string; ip: bigint }[]): string[];
