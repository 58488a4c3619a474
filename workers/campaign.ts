import { type Connection, type ConnectionContext, Server } from "partyserver";

/**
 * One campaign: the source of truth for its definition, prospects and sends.
 * The campaign engine fills this in; for now it accepts authorized live connections.
 */
export class Campaign extends Server<Env> {
  static options = { hibernate: true };

  onConnect(connection: Connection, _ctx: ConnectionContext) {
    connection.send(JSON.stringify({ type: "hello", campaignId: this.name, version: 0 }));
  }
}
