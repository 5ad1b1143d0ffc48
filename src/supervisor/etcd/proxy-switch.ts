// Whether etcd members are started behind the supervisor's fault proxy (etcd/peer-proxy.ts). Until
// that proxy is in, members advertise their own peer listeners and network faults are refused.
export const PEER_PROXY: boolean = false;
