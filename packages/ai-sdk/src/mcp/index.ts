export {
  type CallToolParams,
  type CallToolResult,
  type GuardMcpClientOptions,
  guardMcpClient,
  type ListToolsResult,
  type McpClientLike,
  type McpTool,
} from './guard-mcp-client.js';
