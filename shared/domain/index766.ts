import { type Counters, type Rate, rate } from './figures.ts';

/**
 * The groups of the index of Decision 766/QĐ-TTg (23 June 2022, "Bộ chỉ số chỉ đạo, điều hành và đánh giá chất
 * lượng phục vụ người dân, doanh nghiệp trong thực hiện thủ tục hành chính, dịch vụ công theo thời gian thực trên
 * môi trường điện tử") that this system's counters support, from the summed day counters of a period.
 *
 * What we could confirm, and from where (docs/index766.md says more; we could not read the decision's annex itself):
 * - The five groups and their maxima, 100 points in all: công khai, minh bạch 18; tiến độ, kết quả giải quyết 20;
 *   số hóa hồ sơ 22; cung cấp dịch vụ trực tuyến 22; mức độ hài lòng 18 (the decision, as Sở Nội vụ Nam Định
 *   published it, sonoivu.namdinh.gov.vn).
 * - The progress group's criterion "Tỷ lệ hồ sơ xử lý trước hạn, đúng hạn", worth up to 20 points, beside "Thời
 *   gian giải quyết TTHC trung bình theo từng TTHC" (dinte.gov.vn; baocaotaichinh.vn: "tối đa 20 điểm").
 * - The satisfaction group's three rates, and "Tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC" worth up to 6 of
 *   its 18 points, on the targets of Resolution 76/NQ-CP of 15 July 2021 (lamdong.dcs.vn, baocaotaichinh.vn).
 *
 * Not confirmed, so left null rather than guessed: every target, and the points of online filing, online payment
 * and digitisation within their groups (DOMAIN.md's 12 + 10 split of online service is a reconstruction). A ward
 * that knows them passes them in (`Index766Targets`); then a rate at or above its target earns the criterion's
 * points and one below it `points × rate ÷ target` (DOMAIN.md's reading of the decision's scoring).
 */

export const index766Groups = [
  'progress',
  'onlineService',
  'onlinePayment',
  'digitisation',
  'satisfaction',
  'feedbackOnTime',
] as const;
export type Index766Group = (typeof index766Groups)[number];

export interface Index766Criterion {
  group: Index766Group;
  /** The criterion as the decision names it. */
  criterion: string;
  /** The decision's group it belongs to, and that group's maximum. */
  decisionGroup: string;
  groupMaxPoints: number;
  /** Null while this system does not hold the data (satisfaction: ratings and feedback come with the portals). */
  rate: Rate | null;
  /** Percent at which the criterion earns its points; null: not confirmed. */
  target: number | null;
  /** The criterion's points in the decision; null: not confirmed. */
  maxPoints: number | null;
  /** Earned: null unless the rate, the target and the points are all known. */
  points: number | null;
}

export interface Index766 {
  decision: '766/QĐ-TTg';
  groups: Index766Criterion[];
  /** What the index scores from data this system does not hold. */
  outsideData: { decisionGroup: string; maxPoints: number | null; criteria: string[] }[];
}

/** A ward's own figures, where it knows them: target percent and points per group. */
export type Index766Targets = Partial<Record<Index766Group, { target?: number; maxPoints?: number }>>;

/**
 * Points for a rate against its target: full at or above it, in proportion below it, rounded to two decimals.
 * A rate with nothing to divide by earns nothing to report (null), not zero.
 */
export function pointsFor(r: Rate, target: number, maxPoints: number): number | null {
  if (r.denominator === 0) return null;
  if (!(target > 0)) throw new RangeError('a target is a percentage above 0');
  // In integers of hundredths: rate ÷ target × points, capped at the points.
  const earned = (r.numerator * 100 * maxPoints * 100) / (r.denominator * target);
  return Math.min(maxPoints, Math.floor(earned + 0.5) / 100);
}

const PROGRESS = 'Tiến độ, kết quả giải quyết';
const ONLINE = 'Cung cấp dịch vụ trực tuyến';
const DIGITISATION = 'Số hóa hồ sơ';
const SATISFACTION = 'Mức độ hài lòng';

/** Each supported criterion: its rate from the counters, and what the decision is confirmed to give it. */
const criteria: {
  group: Index766Group;
  criterion: string;
  decisionGroup: string;
  groupMaxPoints: number;
  rate: (c: Counters) => Rate | null;
  maxPoints: number | null;
}[] = [
  {
    group: 'progress',
    criterion: 'Tỷ lệ hồ sơ xử lý trước hạn, đúng hạn',
    decisionGroup: PROGRESS,
    groupMaxPoints: 20,
    rate: (c) => rate(c.resolved_early + c.resolved_on_time, c.resolved_early + c.resolved_on_time + c.resolved_late),
    maxPoints: 20,
  },
  {
    group: 'onlineService',
    criterion: 'Tỷ lệ hồ sơ trực tuyến (of dossiers whose procedure offers online filing)',
    decisionGroup: ONLINE,
    groupMaxPoints: 22,
    rate: (c) => rate(c.received_online_capable_online, c.received_online_capable),
    maxPoints: null,
  },
  {
    group: 'onlinePayment',
    criterion: 'Tỷ lệ thanh toán trực tuyến (paid online ÷ fee-bearing)',
    decisionGroup: ONLINE,
    groupMaxPoints: 22,
    rate: (c) => rate(c.paid_online, c.fee_bearing),
    maxPoints: null,
  },
  {
    group: 'digitisation',
    criterion: 'Tỷ lệ số hóa hồ sơ (received dossiers with every mandatory component digitised)',
    decisionGroup: DIGITISATION,
    groupMaxPoints: 22,
    rate: (c) => rate(c.digitised, c.received),
    maxPoints: null,
  },
  {
    group: 'satisfaction',
    criterion: 'Tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC',
    decisionGroup: SATISFACTION,
    groupMaxPoints: 18,
    // Ratings of returned dossiers (POST /public/dossiers/{code}/rating): very satisfied or satisfied ÷ rated.
    rate: (c) => rate(c.rated_satisfied, c.rated),
    maxPoints: 6,
  },
  {
    group: 'feedbackOnTime',
    criterion: 'Tỷ lệ phản ánh, kiến nghị xử lý đúng hạn',
    decisionGroup: SATISFACTION,
    groupMaxPoints: 18,
    // Feedback (PAKN) handled here: resolved by its due date ÷ resolved.
    rate: (c) => rate(c.feedback_resolved_on_time, c.feedback_resolved),
    maxPoints: null,
  },
];

/** What the index scores that this system cannot count: the ward reports it from elsewhere. */
const outsideData: Index766['outsideData'] = [
  {
    decisionGroup: 'Công khai, minh bạch',
    maxPoints: 18,
    criteria: [
      'Tỷ lệ thủ tục hành chính công bố đúng hạn',
      'Tỷ lệ thủ tục hành chính được cập nhật, công khai đúng hạn',
      'Tỷ lệ thủ tục hành chính được công khai có đầy đủ các nội dung quy định',
      'Tỷ lệ hồ sơ đồng bộ lên Cổng Dịch vụ công quốc gia',
    ],
  },
  { decisionGroup: PROGRESS, maxPoints: null, criteria: ['Thời gian giải quyết TTHC trung bình theo từng TTHC'] },
  {
    decisionGroup: ONLINE,
    maxPoints: null,
    criteria: ['Tỷ lệ TTHC cung cấp dịch vụ công trực tuyến (the published catalog of the province)'],
  },
  {
    decisionGroup: SATISFACTION,
    maxPoints: null,
    criteria: ['Tỷ lệ hài lòng trong xử lý phản ánh, kiến nghị'],
  },
];

/** The index groups of a period from its summed day counters (figures.ts sumCounters). */
export function index766(counters: Counters, targets: Index766Targets = {}): Index766 {
  return {
    decision: '766/QĐ-TTg',
    groups: criteria.map((c) => {
      const r = c.rate(counters);
      const target = targets[c.group]?.target ?? null;
      const maxPoints = targets[c.group]?.maxPoints ?? c.maxPoints;
      return {
        group: c.group,
        criterion: c.criterion,
        decisionGroup: c.decisionGroup,
        groupMaxPoints: c.groupMaxPoints,
        rate: r,
        target,
        maxPoints,
        points: r && target !== null && maxPoints !== null ? pointsFor(r, target, maxPoints) : null,
      };
    }),
    outsideData,
  };
}
