// Interface words for the hall's codes.
export const ROLE: Record<string, string> = {
  clerk: "综合受理", reviewer: "后台审批", chief: "首席代表", issuer: "统一出件",
  supervisor: "督查考核", admin: "系统管理",
};
export const CASE_STATUS: Record<string, string> = {
  accepted: "已受理", routed: "已分办", decided: "已决定", ready: "待取件", issued: "已出件",
  closed: "已办结", held: "待分拨",
};
export const REVIEW_STATUS: Record<string, string> = {
  pending: "待审批", supplement: "补正中", procedure: "特别程序", signoff: "待签发",
  committed: "告知承诺", approved: "已批准", rejected: "不予许可", revoked: "已撤销",
};
export const TICKET_STATUS: Record<string, string> = {
  waiting: "等候中", called: "已叫号", served: "已办结", no_show: "未到",
};
export const CHECK_STATUS: Record<string, string> = {
  met: "齐全", missing: "缺少", defective: "有误", not_needed: "无需提交",
};
export const FORM: Record<string, string> = {
  original: "原件", copy: "复印件", original_and_copy: "原件及复印件", electronic: "电子件",
};
export const RESULT: Record<string, string> = {
  accepted: "予以受理", refused: "不予受理", supplement: "一次性告知补正",
};
export const RISK: Record<string, string> = {
  on_track: "正常", due_soon: "临近到期", last_day: "最后一日", overdue: "已超期", paused: "暂停计时",
  closed: "已办结",
};
export const ISSUE_STATUS: Record<string, string> = {
  forwarding: "转送中", ready: "待领取", shipping: "寄送中", issued: "已出件", archived: "已归档",
};
export const GROUP_BY: Record<string, string> = {
  department: "部门", window: "窗口", staff: "工作人员", site: "服务场所", item: "事项",
};
export const RATING: Record<number, string> = {
  1: "非常不满意", 2: "不满意", 3: "基本满意", 4: "满意", 5: "非常满意",
};

/** The colour of a number of working days left: red overdue or today, orange within 2. */
export function daysType(days: number): "danger" | "warning" | "success" {
  return days <= 0 ? "danger" : days <= 2 ? "warning" : "success";
}

export function daysText(days: number): string {
  return days < 0 ? `超期 ${-days} 个工作日` : days === 0 ? "今日到期" : `剩余 ${days} 个工作日`;
}

/** "LX11-W01" → "1 号窗口": how the waiting area and the applicant name a window. */
export function windowLabel(id: string): string {
  const m = /-[A-Z]?0*(\d+)$/.exec(id);
  return m ? `${m[1]} 号窗口` : id;
}
