// PLACEHOLDER (lead): helper-5 replaces this file with the go-template interpreter.
export function executeGoTemplate(template: string, data: unknown): string {
  void template;
  void data;
  throw new Error('go-template output is not available in this build');
}
