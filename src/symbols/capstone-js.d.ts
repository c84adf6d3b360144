/** The part of @alexaltea/capstone-js (Capstone 5 compiled to WebAssembly) that ktriage uses. */
declare module '@alexaltea/capstone-js' {
  interface CapstoneInstruction {
    address: number | bigint;
    size: number;
    bytes: number[];
    mnemonic: string;
    op_str: string;
  }
  interface CapstoneDecoder {
    option(option: number, value: number): void;
    disasm(bytes: number[] | Uint8Array, address: number, count?: number): CapstoneInstruction[];
    close(): void;
  }
  interface CapstoneModule {
    Capstone: new (arch: number, mode: number) => CapstoneDecoder;
    ARCH_X86: number;
    ARCH_ARM64: number;
    MODE_64: number;
    MODE_ARM: number;
    OPT_SYNTAX: number;
    OPT_SYNTAX_ATT: number;
  }
  const MCapstone: () => Promise<CapstoneModule>;
  export default MCapstone;
}
