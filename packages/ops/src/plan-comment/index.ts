export {
  renderPlan,
  planTitle,
  COMMENT_LIMIT,
  PLAN_ARTIFACT_VERSION,
  type PlanArtifact,
  type PlanConclusion,
  type RenderPlanInput,
} from './render.js';
export {
  postPlan,
  downloadPlan,
  parsePlanArtifact,
  PLAN_ARTIFACT_NAME,
  PLAN_CHECK_NAME,
  PLAN_COMMENT_MARKER,
  type Octokit,
  type PostPlanOptions,
  type PostPlanResult,
  type WorkflowRunInfo,
} from './post.js';
