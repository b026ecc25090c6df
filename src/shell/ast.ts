// The syntax tree of a POSIX sh script (src/shell/parser.ts builds it, src/shell/interp.ts runs it).

export type WordPart =
  | { k: 'lit'; v: string } // unquoted text: globbed, never field-split
  | { k: 'sq'; v: string } // quoted text (single quotes, backslash escapes)
  | { k: 'dq'; parts: WordPart[] } // "...": expansions inside are not split
  | { k: 'param'; name: string; op?: ParamOp; arg?: Word }
  | { k: 'cmd'; body: List } // $(...) and `...`
  | { k: 'arith'; expr: Word }; // $((...))

export type ParamOp = ':-' | '-' | ':=' | '=' | ':+' | '+' | ':?' | '?' | '#' | '##' | '%' | '%%' | 'len';

export type Word = WordPart[];

export type RedirOp = '<' | '>' | '>>' | '>|' | '<>' | '>&' | '<&' | '<<' | '<<-';

export interface Redir {
  fd: number;
  op: RedirOp;
  target: Word;
  /** Here-document body (`<<`): expanded unless the delimiter was quoted. */
  body?: Word;
}

export interface Assign {
  name: string;
  value: Word;
}

export type Command =
  | { k: 'simple'; assigns: Assign[]; words: Word[]; redirs: Redir[]; line: number }
  | { k: 'if'; clauses: Array<{ cond: List; body: List }>; else?: List; redirs: Redir[] }
  | { k: 'loop'; until: boolean; cond: List; body: List; redirs: Redir[] }
  | { k: 'for'; name: string; items?: Word[]; body: List; redirs: Redir[]; line: number }
  | { k: 'case'; word: Word; items: Array<{ patterns: Word[]; body: List }>; redirs: Redir[] }
  | { k: 'group'; body: List; redirs: Redir[] }
  | { k: 'subshell'; body: List; redirs: Redir[] }
  | { k: 'func'; name: string; body: Command };

export interface Pipeline {
  neg: boolean;
  cmds: Command[];
}

export interface AndOr {
  first: Pipeline;
  rest: Array<{ op: '&&' | '||'; p: Pipeline }>;
  /** `cmd &`: run in the background (here: to completion, status 0). */
  bg: boolean;
}

export type List = AndOr[];
