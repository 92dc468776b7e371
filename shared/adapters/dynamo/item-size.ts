/**
 * DynamoDB's item size as it bills it (the "Item sizes" rules of the DynamoDB developer guide):
 * attribute names count, strings by UTF-8 bytes, numbers by significant digits (about one byte per
 * two digits, plus one), binary values by their bytes, booleans and nulls one byte, lists and maps
 * three bytes plus one per element.
 * Used to keep the hot profile item, which is rewritten on every event, small.
 */
export function dynamoItemSize(item: Record<string, unknown>): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined) continue;
    size += utf8(name) + valueSize(value);
  }
  return size;
}

function valueSize(value: unknown): number {
  if (value === null || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return utf8(value);
  if (typeof value === 'number') return numberSize(value);
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) return [...value].reduce((sum: number, member) => sum + valueSize(member), 0);
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, element) => sum + 1 + valueSize(element), 0);
  if (typeof value === 'object') {
    return 3 + Object.entries(value).reduce((sum, [key, element]) => (element === undefined ? sum : sum + 1 + utf8(key) + valueSize(element)), 0);
  }
  return utf8(String(value));
}

function numberSize(value: number): number {
  const digits = Math.abs(value).toString().replace('.', '').replace(/^0+/, '').replace(/e.*$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}

function utf8(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
