import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Adapter } from '../call-spec.js';
import { AiSdkError, AiSdkErrorCode, CallCancelledError, type CallPhase } from '../errors.js';
import { CallGuard } from '../guarded-call.js';
import { isRecord, kind, readSafely } from '../model-values.js';
import type { GuardOptions } from '../options.js';
import { TOOL_CALL_POINTS, TOOL_DISCOVERY_POINTS } from '../points.js';
import { messageOf } from '../reporter.js';
import { jsonValueProblem, toolInvalid } from '../tool-values.js';

/** What `guardMcpClient` needs of an MCP client (the SDK's `Client` has it). */
export type McpClientLike = Pick<Client, 'callTool' | 'listTools' | 'getServerVersion'>;
/** The params of `client.callTool()`. */
export type CallToolParams = Parameters<Client['callTool']>[0];
/** What `client.callTool()` resolves to. */
export type CallToolResult = Awaited<ReturnType<Client['callTool']>>;
/** What `client.listTools()` resolves to. */
export type ListToolsResult = Awaited<ReturnType<Client['listTools']>>;
/** One tool of a listing. */
export type McpTool = ListToolsResult['tools'][number];

/** Options of {@link guardMcpClient}. */
export interface GuardMcpClientOptions extends GuardOptions {
  /** The component name of every fire (`{ type: 'tool', name: server }`). @default the name the server gave at `initialize`, else 'mcp' */
  server?: string;
  /**
   * Resolves a hook's `redirect(target)` for `callTool`: the result of the call made elsewhere.
   * @default calls the tool named `target` on the same server with the same input
   */
  redirect?: (
    target: string,
    input: Record<string, unknown>,
    context: { server: string; tool: string; phase: CallPhase },
  ) => unknown;
  /**
   * What a cancelled `callTool` resolves to. By default it rejects with the `CallCancelledError`;
   * `'result'` resolves with an error result (`{ isError: true, content: [{ type: 'text', text:
   * <the error's message> }] }`), the form a model reads when MCP tools are bridged to it.
   * @default 'throw'
   */
  onCancel?: 'throw' | 'result';
}

/**
 * A failed tool result (`isError: true`) on its way through `ToolError`. When no hook recovers, the
 * caller gets the result itself, as the unguarded client would have given it.
 */
class McpToolFailure extends Error {
  constructor(readonly result: CallToolResult) {
    super(textOf(result) || 'the tool reported an error (isError: true) with no text');
    this.name = 'McpToolFailure';
  }
}

/**
 * Puts an MCP client's `callTool` and `listTools` through hookspell's hook points; everything else
 * of the client is untouched (the returned object is a proxy of it).
 *
 * - `callTool`: `BeforeToolExecution` (data `{ server, tool_name, tool_input, attempt }`, component
 *   `{ type: 'tool', name: <server name> }`), `AfterToolExecution` (plus `tool_response`: the
 *   result), `ToolError` (plus `error`) — when the call throws, and for a result with `isError:
 *   true` (unless a hook recovers, that result is returned as it was). Every result honoured:
 *   `cancel` (see `onCancel`), `modified` (`tool_input` before, `tool_response` after), `replace`/`cache`
 *   (the result, without calling the server: a string is a text result), `retry`, `redirect`
 *   (another tool of the same server by default), `fork`.
 * - `listTools`: `BeforeToolDiscovery` (data `{ server, cursor? }`) and `AfterToolDiscovery` (plus
 *   `tools`). A hook hides tools with `modified({ tools })`: the list to keep, as tool names or tool
 *   objects. Hiding a tool does not stop calls to it by name: deny those at `BeforeToolExecution`.
 *
 * @example
 * ```ts
 * const client = guardMcpClient(connectedClient, { executor });
 * await client.callTool({ name: 'read_file', arguments: { path: 'a.txt' } });
 * ```
 */
export function guardMcpClient<C extends McpClientLike>(client: C, options: GuardMcpClientOptions): C {
  if (typeof client !== 'object' || client === null || typeof client.callTool !== 'function') {
    throw new AiSdkError(
      AiSdkErrorCode.INVALID_ARGUMENT,
      'guardMcpClient(): `client` must be an MCP `Client` (from @modelcontextprotocol/sdk/client/index.js).',
    );
  }
  if (typeof options !== 'object' || options === null || typeof options.executor?.fire !== 'function') {
    throw new AiSdkError(
      AiSdkErrorCode.INVALID_ARGUMENT,
      'guardMcpClient(): `executor` is required: pass `{ executor: new HookExecutor(registry) }`.',
    );
  }
  const calls = new CallGuard<CallToolResult>(callAdapter, options);
  const listings = new CallGuard<ListToolsResult>(listAdapter, options);
  const serverName = (): string => options.server ?? client.getServerVersion()?.name ?? 'mcp';
  const original = {
    callTool: client.callTool.bind(client),
    listTools: client.listTools.bind(client),
  };

  const callTool: Client['callTool'] = async (params, resultSchema, requestOptions) => {
    const server = serverName();
    const tool = params.name;
    const given = params.arguments ?? {};
    try {
      return await calls.run({
        target: tool,
        component: { type: 'tool', name: server },
        data: { server, tool_name: tool, tool_input: given },
        summary: calls.reporter.enabled ? { server, tool } : undefined,
        signal: requestOptions?.signal,
        run: async (d, outcome) => {
          const input = d.tool_input === given ? given : inputOf(d.tool_input, outcome.point, outcome);
          const result = await original.callTool(
            { ...params, arguments: input },
            resultSchema,
            requestOptions,
          );
          if (result.isError === true) throw new McpToolFailure(result);
          return result;
        },
        redirect: async (target, d, phase) => {
          const input =
            d.tool_input === given ? given : inputOf(d.tool_input, TOOL_CALL_POINTS.before, undefined);
          if (options.redirect !== undefined) return options.redirect(target, input, { server, tool, phase });
          return original.callTool(
            { ...params, name: target, arguments: input },
            resultSchema,
            requestOptions,
          );
        },
      });
    } catch (error) {
      if (error instanceof McpToolFailure) return error.result;
      if (options.onCancel === 'result' && CallCancelledError.isInstance(error)) {
        return { isError: true, content: [{ type: 'text', text: error.message }] };
      }
      throw error;
    }
  };

  const listTools: Client['listTools'] = async (params, requestOptions) => {
    const server = serverName();
    const data: Record<string, unknown> = { server };
    if (params?.cursor !== undefined) data.cursor = params.cursor;
    return listings.run({
      target: server,
      component: { type: 'tool', name: server },
      data,
      summary: listings.reporter.enabled ? { server } : undefined,
      signal: requestOptions?.signal,
      run: () => original.listTools(params, requestOptions),
      redirect: async (target) => {
        throw new AiSdkError(
          AiSdkErrorCode.REDIRECT_UNHANDLED,
          `a hook at BeforeToolDiscovery of MCP server '${server}' answered redirect('${target}'); a tool listing cannot be redirected. Answer replace({ tools }) to give a listing instead.`,
        );
      },
    });
  };

  return new Proxy(client, {
    get(target, prop) {
      if (prop === 'callTool') return callTool;
      if (prop === 'listTools') return listTools;
      const value = Reflect.get(target, prop, target);
      // Methods run on the client itself: its private state is not the proxy's.
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

function inputOf(
  value: unknown,
  point: string,
  outcome: { records: readonly { name: string; result: unknown }[] } | undefined,
): Record<string, unknown> {
  // Checked only when a hook changed it; it goes to the server as JSON.
  const problem = isRecord(value) ? jsonValueProblem(value) : `it is ${kind(value)}`;
  if (problem === undefined) return value as Record<string, unknown>;
  const hook = outcome?.records.find((r) => {
    const result = r.result as { type?: string; data?: object } | undefined;
    return result?.type === 'modified' && result.data !== undefined && 'tool_input' in result.data;
  })?.name;
  throw new AiSdkError(
    AiSdkErrorCode.INVALID_HOOK_VALUE,
    `${hook === undefined ? `a hook at ${point}` : `hook '${hook}' at ${point}`} answered modified({ tool_input }) with a value that is not valid MCP tool arguments: ${problem}. An MCP tool's input is an object of named arguments that JSON can hold.`,
  );
}

const RESULT_SHAPE =
  "An MCP tool result is a string (a text result) or { content: [{ type: 'text', text }, …], isError?, structuredContent? }";

function toCallToolResult(value: unknown): CallToolResult | string {
  return readSafely(() => callToolResultOf(value));
}

function callToolResultOf(value: unknown): CallToolResult | string {
  if (typeof value === 'string') return { content: [{ type: 'text', text: value }] };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return `it is ${value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`}`;
  }
  const content = (value as { content?: unknown }).content;
  if (!Array.isArray(content)) return 'it has no `content` array';
  for (let i = 0; i < content.length; i++) {
    const part = content[i] as { type?: unknown } | null;
    if (typeof part !== 'object' || part === null || typeof part.type !== 'string') {
      return `content[${i}] is not a content object with a \`type\``;
    }
  }
  return value as CallToolResult;
}

const callAdapter: Adapter<CallToolResult> = {
  kind: 'tool',
  points: TOOL_CALL_POINTS,
  eventPrefix: 'tool.call',
  toResult: (value, from) => {
    const result = toCallToolResult(value);
    if (typeof result === 'string') throw toolInvalid(from, 'output', result, RESULT_SHAPE);
    return result;
  },
  afterData: (data, output) => ({ ...data, tool_response: output }),
  resultOf: (given, o, output) => {
    const changed = o.data.tool_response;
    if (changed === given.tool_response) return output;
    const result = toCallToolResult(changed);
    if (typeof result === 'string') {
      const hook = o.records.find(
        (r) => r.result?.type === 'modified' && 'tool_response' in r.result.data,
      )?.name;
      throw toolInvalid(
        { phase: 'after', point: o.point, hook, via: 'modified' },
        'tool_response',
        result,
        RESULT_SHAPE,
      );
    }
    return result;
  },
  resultSummary: (result) => ({ isError: result.isError === true }),
};

const LIST_SHAPE =
  'A tool listing is { tools: [...] } or an array of tools, each { name, inputSchema, description? }; after a listing, `tools` may also name the tools to keep';

/** The tools a hook left: names of listed tools or tool objects; an empty Lua table (`{}`) is no tools. */
function toolsOf(value: unknown, listed: readonly McpTool[] | undefined): McpTool[] | string {
  return readSafely(() => toolsIn(value, listed));
}

function toolsIn(value: unknown, listed: readonly McpTool[] | undefined): McpTool[] | string {
  if (isEmptyObject(value)) return [];
  if (!Array.isArray(value))
    return `\`tools\` is ${value === null ? 'null' : `a ${typeof value}`}, not an array`;
  const out: McpTool[] = [];
  for (let i = 0; i < value.length; i++) {
    const entry = value[i] as unknown;
    if (typeof entry === 'string') {
      const tool = listed?.find((t) => t.name === entry);
      if (tool === undefined) {
        return listed === undefined
          ? `tools[${i}] is the name '${entry}': a replaced listing needs tool objects`
          : `tools[${i}] names '${entry}', which the server did not list`;
      }
      out.push(tool);
    } else if (
      typeof entry === 'object' &&
      entry !== null &&
      typeof (entry as { name?: unknown }).name === 'string'
    ) {
      out.push(entry as McpTool);
    } else {
      return `tools[${i}] is neither a tool name nor a tool object with a string \`name\``;
    }
  }
  return out;
}

function isEmptyObject(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.getPrototypeOf(value) === Object.prototype &&
    Object.keys(value).length === 0
  );
}

const listAdapter: Adapter<ListToolsResult> = {
  kind: 'tool-discovery',
  points: TOOL_DISCOVERY_POINTS,
  eventPrefix: 'tool.discovery',
  toResult: (value, from) => {
    const result = readSafely((): ListToolsResult | string => {
      const listing = Array.isArray(value) ? { tools: value } : value;
      const tools = toolsOf((listing as { tools?: unknown } | null)?.tools, undefined);
      return typeof tools === 'string' ? tools : ({ ...(listing as object), tools } as ListToolsResult);
    });
    if (typeof result === 'string') throw toolInvalid(from, 'listing', result, LIST_SHAPE);
    return result;
  },
  afterData: (data, result) => ({ ...data, tools: result.tools }),
  resultOf: (given, o, result) => {
    if (o.data.tools === given.tools) return result;
    const tools = toolsOf(o.data.tools, result.tools);
    if (typeof tools === 'string') {
      const hook = o.records.find((r) => r.result?.type === 'modified' && 'tools' in r.result.data)?.name;
      throw toolInvalid(
        { phase: 'after', point: o.point, hook, via: 'modified' },
        'listing',
        tools,
        LIST_SHAPE,
      );
    }
    return { ...result, tools };
  },
  resultSummary: (result) => ({ tools: result.tools.length }),
};

function textOf(result: CallToolResult): string {
  const content = (result as { content?: unknown }).content;
  if (!Array.isArray(content)) return '';
  try {
    return content
      .filter((c): c is { type: 'text'; text: string } => c?.type === 'text' && typeof c.text === 'string')
      .map((c) => c.text)
      .join('\n');
  } catch (error) {
    return messageOf(error);
  }
}
