/**
 * A second Vietnamese lunar calendar, computed independently of scripts/lunar-table.ts (Hồ Ngọc Đức's algorithm) to
 * check the lunar table: true new moons from Meeus' full series (Astronomical Algorithms, 2nd ed., ch. 49, with the
 * planetary arguments), the sun's apparent longitude from the truncated VSOP87 of his Appendix III with nutation and
 * aberration (ch. 25, 32), ΔT from Espenak and Meeus' polynomials, and the calendar's rules written out directly:
 * a month starts on the date (UTC+7) of its new moon; month 11 is the one containing the winter solstice; a year
 * with 13 months from one month 11 to the next has a leap month, the first in it containing no principal term
 * (the sun crossing a multiple of 30°), which takes the number of the month before it.
 */

const DEG = Math.PI / 180;
const { sin, cos, floor } = Math;

/** Meeus ch. 49: the instant (Julian ephemeris day, TT) of the new moon k lunations after 2000-01-06. */
export function trueNewMoon(k: number): number {
  const T = k / 1236.85;
  const T2 = T * T;
  const T3 = T2 * T;
  const T4 = T3 * T;
  let jde = 2451550.09766 + 29.530588861 * k + 0.00015437 * T2 - 0.00000015 * T3 + 0.00000000073 * T4;
  const E = 1 - 0.002516 * T - 0.0000074 * T2;
  const M = (2.5534 + 29.1053567 * k - 0.0000014 * T2 - 0.00000011 * T3) * DEG;
  const Mp = (201.5643 + 385.81693528 * k + 0.0107582 * T2 + 0.00001238 * T3 - 0.000000058 * T4) * DEG;
  const F = (160.7108 + 390.67050284 * k - 0.0016118 * T2 - 0.00000227 * T3 + 0.000000011 * T4) * DEG;
  const Om = (124.7746 - 1.56375588 * k + 0.0020672 * T2 + 0.00000215 * T3) * DEG;
  jde +=
    -0.4072 * sin(Mp) +
    0.17241 * E * sin(M) +
    0.01608 * sin(2 * Mp) +
    0.01039 * sin(2 * F) +
    0.00739 * E * sin(Mp - M) -
    0.00514 * E * sin(Mp + M) +
    0.00208 * E * E * sin(2 * M) -
    0.00111 * sin(Mp - 2 * F) -
    0.00057 * sin(Mp + 2 * F) +
    0.00056 * E * sin(2 * Mp + M) -
    0.00042 * sin(3 * Mp) +
    0.00042 * E * sin(M + 2 * F) +
    0.00038 * E * sin(M - 2 * F) -
    0.00024 * E * sin(2 * Mp - M) -
    0.00017 * sin(Om) -
    0.00007 * sin(Mp + 2 * M) +
    0.00004 * sin(2 * Mp - 2 * F) +
    0.00004 * sin(3 * M) +
    0.00003 * sin(Mp + M - 2 * F) +
    0.00003 * sin(2 * Mp + 2 * F) -
    0.00003 * sin(Mp + M + 2 * F) +
    0.00003 * sin(Mp - M + 2 * F) -
    0.00002 * sin(Mp - M - 2 * F) -
    0.00002 * sin(3 * Mp + M) +
    0.00002 * sin(4 * Mp);
  const planetary: [number, number, number][] = [
    [0.000325, 299.77, 0.107408],
    [0.000165, 251.88, 0.016321],
    [0.000164, 251.83, 26.651886],
    [0.000126, 349.42, 36.412478],
    [0.00011, 84.66, 18.206239],
    [0.000062, 141.74, 53.303771],
    [0.00006, 207.14, 2.453732],
    [0.000056, 154.84, 7.30686],
    [0.000047, 34.52, 27.261239],
    [0.000042, 207.19, 0.121824],
    [0.00004, 291.34, 1.844379],
    [0.000037, 161.72, 24.198154],
    [0.000035, 239.56, 25.513099],
    [0.000023, 331.55, 3.592518],
  ];
  planetary.forEach(([amplitude, a, b], i) => {
    jde += amplitude * sin((a + b * k - (i === 0 ? 0.009173 * T2 : 0)) * DEG);
  });
  return jde;
}

/** ΔT = TT − UT in seconds, Espenak and Meeus' polynomials (NASA, Five Millennium Canon) for 1986–2150. */
export function deltaTSeconds(year: number): number {
  const t = year - 2000;
  if (year < 2005)
    return 63.86 + 0.3345 * t - 0.060374 * t ** 2 + 0.0017275 * t ** 3 + 0.000651814 * t ** 4 + 0.00002373599 * t ** 5;
  if (year < 2050) return 62.92 + 0.32217 * t + 0.005589 * t ** 2;
  return -20 + 32 * ((year - 1820) / 100) ** 2 - 0.5628 * (2150 - year);
}

const yearOf = (jd: number) => 2000 + (jd - 2451544.5) / 365.25;
/** TT to UT. */
export const universalTime = (jde: number) => jde - deltaTSeconds(yearOf(jde)) / 86400;
const terrestrialTime = (jd: number) => jd + deltaTSeconds(yearOf(jd)) / 86400;

// Meeus Appendix III, Earth's heliocentric longitude (VSOP87, truncated): [A, B, C] for A cos(B + Cτ), in 1e-8 rad.
const L0: [number, number, number][] = [
  [175347046, 0, 0],
  [3341656, 4.6692568, 6283.07585],
  [34894, 4.6261, 12566.1517],
  [3497, 2.7441, 5753.3849],
  [3418, 2.8289, 3.5231],
  [3136, 3.6277, 77713.7715],
  [2676, 4.4181, 7860.4194],
  [2343, 6.1352, 3930.2097],
  [1324, 0.7425, 11506.7698],
  [1273, 2.0371, 529.691],
  [1199, 1.1096, 1577.3435],
  [990, 5.233, 5884.927],
  [902, 2.045, 26.298],
  [857, 3.508, 398.149],
  [780, 1.179, 5223.694],
  [753, 2.533, 5507.553],
  [505, 4.583, 18849.228],
  [492, 4.205, 775.523],
  [357, 2.92, 0.067],
  [317, 5.849, 11790.629],
  [284, 1.899, 796.298],
  [271, 0.315, 10977.079],
  [243, 0.345, 5486.778],
  [206, 4.806, 2544.314],
  [205, 1.869, 5573.143],
  [202, 2.458, 6069.777],
  [156, 0.833, 213.299],
  [132, 3.411, 2942.463],
  [126, 1.083, 20.775],
  [115, 0.645, 0.98],
  [103, 0.636, 4694.003],
  [102, 0.976, 15720.839],
  [102, 4.267, 7.114],
  [99, 6.21, 2146.17],
  [98, 0.68, 155.42],
  [86, 5.98, 161000.69],
  [85, 1.3, 6275.96],
  [85, 3.67, 71430.7],
  [80, 1.81, 17260.15],
  [79, 3.04, 12036.46],
  [75, 1.76, 5088.63],
  [74, 3.5, 3154.69],
  [74, 4.68, 801.82],
  [70, 0.83, 9437.76],
  [62, 3.98, 8827.39],
  [61, 1.82, 7084.9],
  [57, 2.78, 6286.6],
  [56, 4.39, 14143.5],
  [56, 3.47, 6279.55],
  [52, 0.19, 12139.55],
  [52, 1.33, 1748.02],
  [51, 0.28, 5856.48],
  [49, 0.49, 1194.45],
  [41, 5.37, 8429.24],
  [41, 2.4, 19651.05],
  [39, 6.17, 10447.39],
  [37, 6.04, 10213.29],
  [37, 2.57, 1059.38],
  [36, 1.71, 2352.87],
  [36, 1.78, 6812.77],
  [33, 0.59, 17789.85],
  [30, 0.44, 83996.85],
  [30, 2.74, 1349.87],
  [25, 3.16, 4690.48],
];
const L1: [number, number, number][] = [
  [628331966747, 0, 0],
  [206059, 2.678235, 6283.07585],
  [4303, 2.6351, 12566.1517],
  [425, 1.59, 3.523],
  [119, 5.796, 26.298],
  [109, 2.966, 1577.344],
  [93, 2.59, 18849.23],
  [72, 1.14, 529.69],
  [68, 1.87, 398.15],
  [67, 4.41, 5507.55],
  [59, 2.89, 5223.69],
  [56, 2.17, 155.42],
  [45, 0.4, 796.3],
  [36, 0.47, 775.52],
  [29, 2.65, 7.11],
  [21, 5.34, 0.98],
  [19, 1.85, 5486.78],
  [19, 4.97, 213.3],
  [17, 2.99, 6275.96],
  [16, 0.03, 2544.31],
  [16, 1.43, 2146.17],
  [15, 1.21, 10977.08],
  [12, 2.83, 1748.02],
  [12, 3.26, 5088.63],
  [12, 5.27, 1194.45],
  [12, 2.08, 4694.0],
  [11, 0.77, 553.57],
  [10, 1.3, 6286.6],
  [10, 4.24, 1349.87],
  [9, 2.7, 242.73],
  [9, 5.64, 951.72],
  [8, 5.3, 2352.87],
  [6, 2.65, 9437.76],
  [6, 4.67, 4690.48],
];
const L2: [number, number, number][] = [
  [52919, 0, 0],
  [8720, 1.0721, 6283.0758],
  [309, 0.867, 12566.152],
  [27, 0.05, 3.52],
  [16, 5.19, 26.3],
  [16, 3.68, 155.42],
  [10, 0.76, 18849.23],
  [9, 2.06, 77713.77],
  [7, 0.83, 775.52],
  [5, 4.66, 1577.34],
  [4, 1.03, 7.11],
  [4, 3.44, 5573.14],
  [3, 5.14, 796.3],
  [3, 6.05, 5507.55],
  [3, 1.19, 242.73],
  [3, 6.12, 529.69],
  [3, 0.31, 398.15],
  [3, 2.28, 553.57],
  [2, 4.38, 5223.69],
  [2, 3.75, 0.98],
];
const L3: [number, number, number][] = [
  [289, 5.844, 6283.076],
  [35, 0, 0],
  [17, 5.49, 12566.15],
  [3, 5.2, 155.42],
  [1, 4.72, 3.52],
  [1, 5.3, 18849.23],
  [1, 5.97, 242.73],
];
const L4: [number, number, number][] = [
  [114, Math.PI, 0],
  [8, 4.13, 6283.08],
  [1, 3.84, 12566.15],
];
const L5: [number, number, number][] = [[1, 3.14, 0]];

const series = (terms: [number, number, number][], tau: number) =>
  terms.reduce((sum, [a, b, c]) => sum + a * cos(b + c * tau), 0);

/** The sun's apparent longitude at an instant (Julian ephemeris day), in degrees from 0 to 360. */
export function apparentSolarLongitude(jde: number): number {
  const tau = (jde - 2451545) / 365250;
  const T = tau * 10;
  const L =
    (series(L0, tau) +
      series(L1, tau) * tau +
      series(L2, tau) * tau ** 2 +
      series(L3, tau) * tau ** 3 +
      series(L4, tau) * tau ** 4 +
      series(L5, tau) * tau ** 5) /
    1e8;
  const geometric = L / DEG + 180;
  const fk5 = -0.09033 / 3600;
  const omega = (125.04452 - 1934.136261 * T) * DEG;
  const sunMean = (280.4665 + 36000.7698 * T) * DEG;
  const moonMean = (218.3165 + 481267.8813 * T) * DEG;
  const nutation =
    (-17.2 * sin(omega) - 1.32 * sin(2 * sunMean) - 0.23 * sin(2 * moonMean) + 0.21 * sin(2 * omega)) / 3600;
  const anomaly = (357.52911 + 35999.05029 * T) * DEG;
  const distance = 1.00014 - 0.016708 * cos(anomaly) - 0.000139 * cos(2 * anomaly);
  const aberration = -20.4898 / 3600 / distance;
  const λ = geometric + fk5 + nutation + aberration;
  return ((λ % 360) + 360) % 360;
}

/** Viet Nam's time zone since 1975 (China's calendar, UTC+8, is the one to compare with). */
export const VIETNAM_UTC_OFFSET_HOURS = 7;

/** The Julian day number of the local date of an instant (Julian day, UT). */
const localDay = (jdUT: number, offsetHours: number) => floor(jdUT + 0.5 + offsetHours / 24);
/** The sun's longitude at the start (local midnight) of a day. */
const longitudeAtDayStart = (day: number, offsetHours: number) =>
  apparentSolarLongitude(terrestrialTime(day - 0.5 - offsetHours / 24));

/** The instant (UT) the sun reaches a longitude, near a guess (Julian day, UT). */
export function solarTermInstant(longitude: number, guessUT: number): number {
  let jd = guessUT;
  for (let i = 0; i < 20; i++) {
    const off = ((((longitude - apparentSolarLongitude(terrestrialTime(jd))) % 360) + 540) % 360) - 180;
    jd += off / 0.9856;
    if (Math.abs(off) < 1e-7) break;
  }
  return jd;
}

/** The number k of the new moon whose instant is nearest a Julian day. */
const lunationNear = (jd: number) => Math.round((jd - 2451550.09766) / 29.530588861);

export interface LunarMonth {
  /** Julian day number of its first day (in Viet Nam), and of the next month's. */
  start: number;
  end: number;
  number: number;
  leap: boolean;
  /** The instant (UT) of the new moon that starts it. */
  newMoonUT: number;
}

/**
 * The months of the lunar year from the month 11 that holds the winter solstice of a solar year up to the next
 * month 11, with days counted at a time zone (Viet Nam's by default).
 */
export function monthsFromMonth11(solarYear: number, offsetHours = VIETNAM_UTC_OFFSET_HOURS): LunarMonth[] {
  const vietnamDay = (jdUT: number) => localDay(jdUT, offsetHours);
  const solstice = (year: number) => solarTermInstant(270, 2451545 + (year - 2000) * 365.2422 + 355);
  const monthHolding = (jdUT: number) => {
    const day = vietnamDay(jdUT);
    let k = lunationNear(jdUT);
    while (vietnamDay(universalTime(trueNewMoon(k))) > day) k--;
    while (vietnamDay(universalTime(trueNewMoon(k + 1))) <= day) k++;
    return k;
  };
  const first = monthHolding(solstice(solarYear));
  const next = monthHolding(solstice(solarYear + 1));
  const months: LunarMonth[] = [];
  let leapTaken = false;
  let number = 11;
  for (let k = first; k < next; k++) {
    const newMoonUT = universalTime(trueNewMoon(k));
    const start = vietnamDay(newMoonUT);
    const end = vietnamDay(universalTime(trueNewMoon(k + 1)));
    // A principal term inside the month: the sun is in another 30° sign at its end than at its start.
    const hasPrincipalTerm =
      floor(longitudeAtDayStart(end, offsetHours) / 30) !== floor(longitudeAtDayStart(start, offsetHours) / 30);
    const leap = next - first === 13 && k !== first && !leapTaken && !hasPrincipalTerm;
    if (leap) leapTaken = true;
    else if (k !== first) number = (number % 12) + 1;
    months.push({ start, end, number, leap, newMoonUT });
  }
  return months;
}

/** Tết (1/1 lunar) and Giỗ Tổ Hùng Vương (10/3 lunar) of a solar year, as Julian day numbers, with their months. */
export function lunarHolidaysMeeus(
  year: number,
  offsetHours = VIETNAM_UTC_OFFSET_HOURS,
): { tet: number; hungKings: number; months: LunarMonth[] } {
  const months = monthsFromMonth11(year - 1, offsetHours);
  const first = months.find((m) => m.number === 1 && !m.leap);
  const third = months.find((m) => m.number === 3 && !m.leap);
  if (!first || !third) throw new Error(`no month 1 or 3 after month 11 of ${year - 1}`);
  return { tet: first.start, hungKings: third.start + 9, months };
}
