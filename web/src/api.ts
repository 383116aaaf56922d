// Clients of the gateway's public services, generated from protos/ (src/gen): the gateway
// serves the Connect protocol on the same origin as the console.
import { createClient, ConnectError, Code, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { HallGateway } from "./gen/hall/v1/gateway_pb";
import { FrontDesk } from "./gen/hall/v1/frontdesk_pb";
import { BackOffice } from "./gen/hall/v1/backoffice_pb";
import { Issuance } from "./gen/hall/v1/issuance_pb";
import { Supervision } from "./gen/hall/v1/supervision_pb";
import { HallCatalogue } from "./gen/hall/v1/catalogue_pb";
import { Staff } from "./gen/hall/v1/staff_pb";
import { session, signOutLocally } from "./session";

const withToken: Interceptor = (next) => async (req) => {
  if (session.token) req.header.set("Authorization", `Bearer ${session.token}`);
  try {
    return await next(req);
  } catch (err) {
    const e = ConnectError.from(err);
    if (e.code === Code.Unauthenticated && session.token) signOutLocally();
    throw err;
  }
};

const transport = createConnectTransport({
  baseUrl: import.meta.env.VITE_GATEWAY || window.location.origin,
  interceptors: [withToken],
  useBinaryFormat: false,
});

export const gateway = createClient(HallGateway, transport);
export const frontDesk = createClient(FrontDesk, transport);
export const backOffice = createClient(BackOffice, transport);
export const issuance = createClient(Issuance, transport);
export const supervision = createClient(Supervision, transport);
export const catalogue = createClient(HallCatalogue, transport);
export const staff = createClient(Staff, transport);

const CODE_TEXT: Partial<Record<Code, string>> = {
  [Code.InvalidArgument]: "输入有误",
  [Code.NotFound]: "未找到",
  [Code.FailedPrecondition]: "当前不能办理",
  [Code.PermissionDenied]: "无权办理",
  [Code.Unauthenticated]: "请重新登录",
  [Code.Unavailable]: "服务暂不可用",
  [Code.DeadlineExceeded]: "服务响应超时",
  [Code.Internal]: "系统错误",
};

/** A readable line for an error: its kind in Chinese, then the hall's own message. */
export function errorText(err: unknown): string {
  const e = ConnectError.from(err);
  return `${CODE_TEXT[e.code] ?? "操作失败"}：${e.rawMessage}`;
}

export function isCode(err: unknown, code: Code): boolean {
  return ConnectError.from(err).code === code;
}
export { Code };
