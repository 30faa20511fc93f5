/** The database error behind a refused statement: its message and constraint, whichever driver; `accepted` if none. */
export async function refusal(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (error) {
    const cause = (error as { cause?: { message?: string; constraint?: string } }).cause;
    return `${cause?.constraint ?? ''} ${cause?.message ?? (error as Error).message}`;
  }
  return 'accepted';
}
