import type { KnowledgePassage } from '../../knowledge/knowledge-search.ts';

export interface FaqEntryText {
  readonly question: string;
  readonly answer: string;
}

const LABELLED =
  /^\s*(?:\*\*)?(?:q|question|pergunta|pregunta|frage)(?:\*\*)?\s*[:：]\s*([\s\S]+?)\n+\s*(?:\*\*)?(?:a|answer|r|resposta|respuesta|reponse|réponse|antwort)(?:\*\*)?\s*[:：]\s*([\s\S]+)$/i;
const HEADING = /^\s*#{1,6}\s+(.+?)\s*\n+([\s\S]+)$/;
const BOLD = /^\s*\*\*(.+?)\*\*\s*\n+([\s\S]+)$/;

/**
 * An FAQ passage's question and answer. Accepts the shapes FAQ chunks take: "Q: … / A: …" (also
 * Pergunta/Resposta, Pregunta/Respuesta), a Markdown heading or bold line followed by the
 * answer, a first line ending in "?" followed by the answer, and finally a passage whose last
 * heading is the question and whose content is the answer. Null when none fits. Pure.
 */
export function parseFaqPassage(
  passage: Pick<KnowledgePassage, 'content' | 'citation'>,
): FaqEntryText | null {
  const content = passage.content.trim();
  for (const pattern of [LABELLED, HEADING, BOLD]) {
    const match = pattern.exec(content);
    if (match) return clean(match[1]!, match[2]!);
  }
  const newline = content.indexOf('\n');
  if (newline > 0) {
    const firstLine = content.slice(0, newline).trim();
    if (firstLine.endsWith('?')) return clean(firstLine, content.slice(newline + 1));
  }
  const heading = passage.citation.headingPath.at(-1);
  if (heading && content) return clean(heading, content);
  return null;
}

function clean(question: string, answer: string): FaqEntryText | null {
  const q = question.trim();
  const a = answer.trim();
  return q && a ? { question: q, answer: a } : null;
}
