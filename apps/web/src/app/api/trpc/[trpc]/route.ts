import { apiUrl } from "@/lib/api-url";
import { proxyToApi } from "@/lib/proxy";

export const dynamic = "force-dynamic";

export function GET(request: Request): Promise<Response> {
  return proxyToApi(request, apiUrl());
}

export function POST(request: Request): Promise<Response> {
  return proxyToApi(request, apiUrl());
}
