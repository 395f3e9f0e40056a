/** How the System page writes its figures: rates, milliseconds and ages, short and exact enough. */

/** Readings per second: whole above 100, else to one decimal ("0.4/s", "12.5/s", "1,250/s"). */
export function rateText(perSecond: number): string {
  const rounded = perSecond >= 100 ? Math.round(perSecond) : Math.round(perSecond * 10) / 10;
  return `${rounded.toLocaleString('en-US')}/s`;
}

/** A lag in milliseconds, in seconds from 10 s on ("850 ms", "12.3 s"). */
export function lagText(milliseconds: number): string {
  return milliseconds < 10_000
    ? `${Math.round(milliseconds).toLocaleString('en-US')} ms`
    : `${(Math.round(milliseconds / 100) / 10).toLocaleString('en-US')} s`;
}

/** An age in seconds: "4 s", "3 min 5 s", "2 h 10 min"; a dash when unknown. */
export function ageText(seconds: number | null): string {
  if (seconds === null) return '–';
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole} s`;
  if (whole < 3600) return `${Math.floor(whole / 60)} min ${whole % 60} s`;
  return `${Math.floor(whole / 3600)} h ${Math.floor((whole % 3600) / 60)} min`;
}
