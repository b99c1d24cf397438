/** An EMS timestamp (or epoch milliseconds) as a Date for the DateTime scalar; null stays null. */
export function toDate(value: string | number | null | undefined): Date | null {
  if (value === null || value === undefined || value === '') return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}
