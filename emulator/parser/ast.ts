/** Syntax tree of the PowerShell subset the emulator runs (see emulator/README.md, "Language"). */

export interface Pos {
    /** Offset into the source chunk. */
    offset: number;
}

export type Statement = PipelineStatement | AssignStatement | TryStatement | ThrowStatement;

export interface PipelineStatement extends Pos {
    kind: "pipeline";
    elements: PipelineElement[];
}

export interface AssignStatement extends Pos {
    kind: "assign";
    variable: string;
    value: Statement;
}

export interface TryStatement extends Pos {
    kind: "try";
    body: Statement[];
    catches: { types: string[]; body: Statement[] }[];
    finally?: Statement[];
}

export interface ThrowStatement extends Pos {
    kind: "throw";
    value?: PipelineStatement;
}

export type PipelineElement = CommandCall | ExpressionElement;

export interface CommandCall extends Pos {
    kind: "command";
    name: string;
    elements: CommandElement[];
}

export interface ExpressionElement extends Pos {
    kind: "expr";
    expr: Expr;
}

export type CommandElement =
    | { kind: "param"; name: string; /** -Name:value form */ value?: Expr; offset: number }
    | { kind: "arg"; expr: Expr; offset: number }
    | { kind: "splat"; variable: string; offset: number };

export type StringPart = string | Expr;

export type Expr =
    | { kind: "str"; value: string; bareword?: boolean }
    | { kind: "xstr"; parts: StringPart[] }
    | { kind: "num"; value: number }
    | { kind: "var"; name: string }
    | { kind: "array"; items: Expr[] }
    | { kind: "arraySub"; statements: Statement[] }
    | { kind: "sub"; statements: Statement[] }
    | { kind: "paren"; statement: Statement }
    | { kind: "hash"; ordered: boolean; entries: { key: Expr; value: Statement }[] }
    | { kind: "type"; name: string }
    | { kind: "cast"; type: string; expr: Expr }
    | { kind: "member"; target: Expr; name: string; isStatic: boolean }
    | { kind: "invoke"; target: Expr; name: string; isStatic: boolean; args: Expr[] }
    | { kind: "index"; target: Expr; index: Expr }
    | { kind: "binary"; op: string; left: Expr; right: Expr }
    | { kind: "unary"; op: string; expr: Expr };
