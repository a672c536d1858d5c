/**
 * Deterministic "the customer asks for a human" detection, used by both responders before any
 * model call (cheap, and it works with no model at all). Patterns run on lower-cased text with
 * accents removed, in English, Portuguese, Spanish, French and German. A negation just before
 * the match ("I don't need to talk to a person") cancels it. Pure.
 */
const PATTERNS: readonly RegExp[] = [
  // English
  /\b(?:talk|speak|chat)\s+(?:to|with)\s+(?:a|an|some|the|your)?\s*(?:real\s+|live\s+)?(?:human|person|agent|representative|rep|operator|someone|somebody|staff|support\s+agent)\b/,
  /\b(?:want|need|like|get)\s+(?:a|an|to\s+\w+\s+(?:to|with)\s+a)?\s*(?:real\s+|live\s+)?(?:human|person|agent|representative|operator)\b/,
  /\b(?:connect|transfer|put)\s+me\s+(?:to|with|through)\b/,
  /\b(?:real|live)\s+(?:human|person|agent)\b/,
  /^(?:human|agent|operator|representative|person)(?:\s+please)?[\s.!?]*$/,
  // Portuguese
  /\b(?:falar|conversar)\s+com\s+(?:um|uma|o|a|algum|alguma)?\s*(?:humano|pessoa|atendente|agente|operador|operadora|representante|alguem)\b/,
  /\b(?:quero|preciso(?:\s+de)?|gostaria\s+de)\s+(?:um|uma)?\s*(?:atendente|humano|pessoa\s+real|atendimento\s+humano)\b/,
  /\batendimento\s+humano\b/,
  /\b(?:me\s+)?(?:transfere|transfira|passa|passe)\s+(?:para|pra)\s+(?:um|uma|o|a)?\s*(?:atendente|humano|pessoa)\b/,
  /^(?:atendente|humano)(?:\s+por\s+favor)?[\s.!?]*$/,
  // Spanish
  /\b(?:hablar|conversar)\s+con\s+(?:un|una|el|la|algun|alguna)?\s*(?:humano|persona|agente|operador|operadora|asesor|asesora|representante|alguien)\b/,
  /\b(?:quiero|necesito)\s+(?:un|una)?\s*(?:agente|humano|persona\s+real|asesor|operador)\b/,
  /\batencion\s+(?:humana|personalizada)\b/,
  /\bpersona\s+real\b/,
  // French and German
  /\b(?:parler|discuter)\s+(?:a|avec)\s+(?:un|une|quelqu'un)\s*(?:humain|personne|conseiller|conseillere|agent)?\b/,
  /\b(?:mit\s+(?:einem|einer))\s+(?:menschen|mitarbeiter|mitarbeiterin|berater|beraterin|person)\b/,
];

// A negation up to 20 characters before the match, within the same clause: "No, I want a person"
// (comma) still asks for one, "I don't need to talk to a human" does not.
const NEGATION =
  /\b(?:don'?t|do\s+not|no\s+need|not|never|nao|nem|no|sin|ne|pas|kein|nicht)\b[^.!?,;]{0,20}$/;

export function detectHumanRequest(text: string): boolean {
  const normalised = normalise(text);
  for (const pattern of PATTERNS) {
    const match = pattern.exec(normalised);
    if (!match) continue;
    const before = normalised.slice(Math.max(0, match.index - 30), match.index);
    if (NEGATION.test(before)) continue;
    return true;
  }
  return false;
}

function normalise(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{Mn}/gu, '')
    .toLowerCase()
    .replace(/[’`]/g, "'")
    .replace(/\s+/g, ' ')
    .trim();
}
