const DELIMITER =
  /<(\/?)\s*(customer_message|knowledge|passage|contact_memory|transcript|system|instructions)\b/gi;

/**
 * Makes data unable to close or open the tags that fence it in the prompt: `</passage>` inside
 * a document becomes `‹/passage>`, so a passage or a customer cannot pretend the data ended and
 * instructions begin. Everything else is kept verbatim. Pure.
 */
export function neutraliseDelimiters(text: string): string {
  return text.replace(DELIMITER, (_match, slash: string, name: string) => `‹${slash}${name}`);
}
