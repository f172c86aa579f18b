/** Who is calling a service: the verified user behind the request or connection. */
export interface Caller {
  id: string;
  username: string;
}
