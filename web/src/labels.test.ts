import { describe, expect, it } from "vitest";
import { daysText, daysType, windowLabel } from "./labels";

describe("days left", () => {
  it("is red when due today or overdue, orange within two working days, green after", () => {
    expect([-3, 0, 1, 2, 3].map(daysType)).toEqual(["danger", "danger", "warning", "warning", "success"]);
  });
  it("says overdue, today or how many working days remain", () => {
    expect(daysText(-2)).toBe("超期 2 个工作日");
    expect(daysText(0)).toBe("今日到期");
    expect(daysText(5)).toBe("剩余 5 个工作日");
  });
});

describe("window names", () => {
  it("names a window by its number as the waiting area does", () => {
    expect(windowLabel("LX11-W01")).toBe("1 号窗口");
    expect(windowLabel("LX00-W12")).toBe("12 号窗口");
    expect(windowLabel("LXSB-I02")).toBe("2 号窗口");
    expect(windowLabel("kiosk")).toBe("kiosk");
  });
});
