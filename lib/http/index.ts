export * from './contract.js';
export { jobViewSchema, toJobView, type JobView } from './job-view.js';
export { parsePostRequest, postRequestSchema, type PostRequest } from './post-request.js';
