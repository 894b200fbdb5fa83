// Integration tests start servers and databases; a generous bound still fails a hung test.
jest.setTimeout(30_000);
