export const topologyActions = [];
