import { type Connection, type ConnectionContext, Server } from "partyserver";

/**
 * One team ("account"): the daily quota and the team-wide live feed.
 * The campaign engine fills this in; for now it accepts authorized live connections.
 */
export class Account extends Server<Env> {
  static options = { hibernate: true };

  onConnect(connection: Connection, _ctx: ConnectionContext) {
    connection.send(JSON.stringify({ type: "hello", teamId: this.name, version: 0 }));
  }
}
