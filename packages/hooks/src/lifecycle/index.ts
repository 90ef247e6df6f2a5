export {
  AGENT_TRANSITIONS,
  type AgentLifecycle,
  type AgentLifecycleOptions,
  type AgentState,
  type AgentTransition,
  agentLifecycle,
  agentTransitionPoints,
} from './agent-lifecycle.js';
export {
  type InstrumentedTool,
  type InstrumentToolOptions,
  instrumentTool,
  type ToolDefinition,
  type ToolFunction,
} from './instrument-tool.js';
export {
  type InstrumentedWorkflow,
  instrumentWorkflow,
  type LoopOptions,
  type StepSpec,
  type WorkflowContext,
} from './instrument-workflow.js';
