/** The `ttl` attribute (epoch seconds) of an item DynamoDB's TTL should delete `days` after `iso`. */
export function expiresAt(iso: string, days: number): number {
  return Math.floor(Date.parse(iso) / 1000) + days * 86_400;
}
