/** Types a whole Unicode string on the customer's machine, exactly. */
export interface TextTyper {
  type(text: string): Promise<void>;
  close(): Promise<void>;
}
