// Placeholder replaced by the workflow-lint work (issue: workflows and templates).
console.log('no workflows to lint yet');
