// `--env` templates: `{{NAME:KEY}}` (spaces allowed inside the braces) stands for the value of key
// KEY of secret NAME; `{{{{` stands for a literal `{{`. Parsing only, shared by the CLI and the agent.

/** One `{{NAME:KEY}}` reference of a template. */
export interface TemplateRef {
  name: string
  key: string
}

/** `{{{{` (an escaped `{{`) or a reference `{{ NAME : KEY }}`; anything else between braces is literal text. */
const TOKEN = /\{\{\{\{|\{\{\s*([A-Za-z0-9][A-Za-z0-9_.-]{0,127})\s*:\s*([A-Za-z_][A-Za-z0-9_]{0,255})\s*\}\}/g

/** A template as literal text pieces and references, in order. */
export type TemplatePart = string | TemplateRef

export function parseTemplate(text: string): TemplatePart[] {
  const parts: TemplatePart[] = []
  let at = 0
  let literal = ''
  for (const match of text.matchAll(TOKEN)) {
    literal += text.slice(at, match.index)
    at = match.index + match[0].length
    if (match[1] === undefined) {
      literal += '{{'
      continue
    }
    if (literal) parts.push(literal)
    literal = ''
    parts.push({name: match[1], key: match[2]})
  }
  literal += text.slice(at)
  if (literal) parts.push(literal)
  return parts
}

/** The references of a template, in order (duplicates kept). */
export function templateRefs(text: string): TemplateRef[] {
  return parseTemplate(text).filter((part): part is TemplateRef => typeof part !== 'string')
}

/** True when the value references at least one secret. */
export function isTemplate(text: string): boolean {
  return templateRefs(text).length > 0
}

/** True when the value needs rendering (a reference or an escaped `{{`). */
export function needsRendering(text: string): boolean {
  // A non-global copy: TOKEN itself is never used statefully (matchAll copies its lastIndex).
  return new RegExp(TOKEN.source).test(text)
}

/** The template with every reference removed (escapes applied): the part an `--env` shows as is. */
export function literalText(text: string): string {
  return parseTemplate(text)
    .filter((part) => typeof part === 'string')
    .join('')
}

export function formatTemplateRef(ref: TemplateRef): string {
  return `{{${ref.name}:${ref.key}}}`
}
